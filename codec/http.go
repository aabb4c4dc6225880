package codec

import (
	"net/http"
	"strings"

	"go.temporal.io/sdk/converter"
)

// Paths of the codec endpoint. The Web UI and `temporal --codec-endpoint`
// are given EndpointPrefix and append "/encode" or "/decode". Only decode
// is served: see Handler.
const (
	EndpointPrefix = "/v1/codec"
	EncodePath     = EndpointPrefix + "/encode"
	DecodePath     = EndpointPrefix + "/decode"
)

// MaxRequestBytes bounds a codec request body. Temporal refuses a payload
// over 2 MiB; the UI sends the payloads of one event or a short page of
// them.
const MaxRequestBytes = 16 << 20

// preflightMaxAge lets a browser cache the preflight answer for ten minutes
// instead of asking before every decode.
const preflightMaxAge = "600"

// Handler serves the codec endpoint for a key ring: POST DecodePath with
// protojson bodies ({"payloads":[...]}), as Temporal's Web UI and CLI call
// it, plus the CORS preflight the UI's browser code
// needs because it calls the endpoint from its own origin. It matches the
// full request path: mount it without stripping a prefix.
//
// allowedOrigins are exact origins ("https://temporal.example.org",
// scheme://host[:port], no path); "*" is not a wildcard, because the answer
// allows credentials and must never be given to any site. A request from an
// allowed origin gets Access-Control-Allow-Origin echoing it and
// Access-Control-Allow-Credentials; a request from any other origin gets no
// CORS headers, so the browser will not let that page read the answer.
//
// Authentication (the auditor role) is the caller's middleware, wrapped
// around this handler, with one exception: a preflight (see IsPreflight)
// must reach this handler unauthenticated, since browsers send neither
// cookies nor the Authorization header on a preflight. Skip authentication
// for it; the preflight only reveals which methods and headers are allowed.
// Decode errors (unknown key id, failed decrypt) are answered 400 with the
// error text, never with undecoded garbage. Decode passes unencrypted
// payloads through (a signal a raw client sent shows as what it was).
//
// POST EncodePath is refused (403): the worker acts only on payloads sealed
// by the ring (see DataConverter), and an encoder on the network would hand
// that seal to whoever may call it. The read-only Web UI never encodes.
func Handler(r *KeyRing, allowedOrigins []string) http.Handler {
	codecHandler := converter.NewPayloadCodecHTTPHandler(NewCodec(r))
	limited := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		req.Body = http.MaxBytesReader(w, req.Body, MaxRequestBytes)
		codecHandler.ServeHTTP(w, req)
	})
	mux := http.NewServeMux()
	// The SDK handler only looks at the path's suffix; the mux keeps it to
	// exactly these two paths and to POST.
	mux.HandleFunc("POST "+EncodePath, refuseEncode)
	mux.Handle("POST "+DecodePath, limited)
	return &corsHandler{allowed: originSet(allowedOrigins), next: mux}
}

// IsPreflight reports whether r is a CORS preflight request: OPTIONS with
// Origin and Access-Control-Request-Method. Authentication middleware in
// front of Handler should let these through.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

type corsHandler struct {
	allowed map[string]bool
	next    http.Handler
}

func (h *corsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	allowed := origin != "" && h.allowed[normalizeOrigin(origin)]
	// The answer depends on Origin: caches must not serve one origin's
	// answer to another.
	w.Header().Add("Vary", "Origin")
	if allowed {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
	if r.Method != http.MethodOptions {
		h.next.ServeHTTP(w, r)
		return
	}
	if r.URL.Path != EncodePath && r.URL.Path != DecodePath {
		http.NotFound(w, r)
		return
	}
	if !IsPreflight(r) {
		w.Header().Set("Allow", "POST, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !allowed {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	w.Header().Add("Vary", "Access-Control-Request-Method")
	w.Header().Add("Vary", "Access-Control-Request-Headers")
	w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
	w.Header().Set("Access-Control-Max-Age", preflightMaxAge)
	w.WriteHeader(http.StatusNoContent)
}

func originSet(origins []string) map[string]bool {
	set := make(map[string]bool, len(origins))
	for _, o := range origins {
		if o = normalizeOrigin(o); o != "" && o != "*" {
			set[o] = true
		}
	}
	return set
}

// normalizeOrigin makes "https://UI.example.org/" match the
// "https://ui.example.org" a browser sends: scheme and host are case-blind.
func normalizeOrigin(o string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
}

// refuseEncode answers POST EncodePath.
func refuseEncode(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "codec: encode is not served: only abusedesk itself seals payloads with the key ring", http.StatusForbidden)
}
