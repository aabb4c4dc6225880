package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
)

// AuthenticateRequest applies the server's rules to a plain *http.Request,
// for handlers outside Echo (the embedded Temporal Web UI's gate): a Bearer
// API key, or the console's session cookie, as for the JSON API. The
// console cookie authenticates only reads outside /console.
func (s *Server) AuthenticateRequest(r *http.Request) (config.APIKey, bool) {
	return s.authenticate(s.Handler().NewContext(r, nil))
}

// UIGate lets into the Temporal Web UI (temporalserver.Options.UIGate) only
// keys with the auditor role, or admin: by Bearer key, or by the console
// session cookie, which the browser also sends to the UI's port of the same
// host. A browser without a session is sent to the console's sign-in page,
// any other client gets 401; another role gets 403.
//
// The UI starts before the HTTP server: until Serve is called, the gate
// answers 503.
type UIGate struct {
	// LoginURL is where a browser without a session is sent
	// (public_url + "/console/login").
	LoginURL string
	srv      atomic.Pointer[Server]
}

// Serve starts letting requests through, with s's keys and sessions.
func (g *UIGate) Serve(s *Server) { g.srv.Store(s) }

// Wrap is the gate around the UI's handler.
func (g *UIGate) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := g.srv.Load()
		if s == nil {
			uiRefuse(w, http.StatusServiceUnavailable, "Authorization", "abusedesk is starting; try again in a moment")
			return
		}
		k, ok := s.AuthenticateRequest(r)
		switch {
		case !ok && wantsPage(r):
			http.Redirect(w, r, g.LoginURL, http.StatusSeeOther)
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="abusedesk"`)
			uiRefuse(w, http.StatusUnauthorized, "Authorization",
				"the Temporal Web UI needs an auditor's or admin's console session or API key (Authorization: Bearer <key>)")
		case !models.Role(k.Role).Allows(models.RoleAuditor):
			uiRefuse(w, http.StatusForbidden, "Authorization",
				"the Temporal Web UI needs the auditor or admin role; the key has "+k.Role)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// wantsPage tells a browser navigating to a page from a script's call.
func wantsPage(r *http.Request) bool {
	return r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// uiRefuse answers in the error shape of errors.go.
func uiRefuse(w http.ResponseWriter, code int, field, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string][]models.FieldError{"errors": {{Field: field, Message: msg}}})
}
