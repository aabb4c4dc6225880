package temporalserver

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// uiCSRFCookie is the ui-server's own CSRF cookie: the only cookie the
// proxy passes on. abusedesk's session cookie stays out of the ui-server
// (whose gRPC gateway would forward it to the frontend as metadata).
const uiCSRFCookie = "_csrf"

// uiProxy serves Options.UIAddr: Options.UIGate decides who may enter, the
// proxy lets only reads through (GET, HEAD) and forwards them to the
// ui-server listening on an internal loopback port.
type uiProxy struct {
	srv *http.Server
	ln  net.Listener
}

// startUIProxy listens on addr and forwards to the ui-server at internal.
func startUIProxy(addr, internal string, gate func(http.Handler) http.Handler) (*uiProxy, error) {
	target := &url.URL{Scheme: "http", Host: internal}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			pr.Out.Header.Del("Authorization")
			pr.Out.Header.Del("Cookie")
			if ck, err := pr.In.Cookie(uiCSRFCookie); err == nil {
				pr.Out.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
			}
		},
	}
	if gate == nil {
		gate = lockedUI
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &uiProxy{ln: ln, srv: &http.Server{Handler: readOnly(gate(rp)), ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// stop closes the listener and waits briefly for requests in flight.
func (p *uiProxy) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		_ = p.srv.Close()
	}
}

// readOnly refuses every method but GET and HEAD, whoever asks: the
// ui-server is started with DisableWriteActions, and this is the second
// line should a ui-server version read that setting differently. It also
// refuses the queries the ui-server would let through (POST .../query/...):
// a query runs workflow code on the worker, and the case's state is on the
// console and in the history.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			refuseUI(w, http.StatusForbidden, "method",
				"the Temporal Web UI is read-only here: cases change only through abusedesk's API and console")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// lockedUI is the gate when none is configured: nobody enters.
func lockedUI(http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		refuseUI(w, http.StatusForbidden, "Authorization",
			"the Temporal Web UI is served only behind abusedesk's sign-in (abusedesk serve)")
	})
}

// refuseUI answers in the desk's error shape: {"errors":[{field, message}]}.
func refuseUI(w http.ResponseWriter, code int, field, msg string) {
	type fieldError struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string][]fieldError{"errors": {{Field: field, Message: msg}}})
}
