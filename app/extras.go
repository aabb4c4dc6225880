package app

import (
	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/server"
)

func init() {
	OnRoutes((*App).codecRoutes)
	OnRoutes((*App).auditRoutes)
}

// codecRoutes serves the payload codec to auditors and the Web UI. The
// browser's CORS preflight carries no credentials, so it skips the role
// check; the POSTs need the auditor role.
func (a *App) codecRoutes(e *echo.Echo, s *server.Server) {
	var origins []string
	if a.Cfg.UIAddr != "" {
		origins = append(origins, "http://"+a.Cfg.UIAddr)
	}
	h := echo.WrapHandler(codec.Handler(a.KeyRing, origins))
	auth := s.RequireRole("auditor")
	serve := func(c echo.Context) error {
		if codec.IsPreflight(c.Request()) {
			return h(c)
		}
		return auth(h)(c)
	}
	for _, p := range []string{codec.EncodePath, codec.DecodePath} {
		e.Match([]string{"POST", "OPTIONS"}, p, serve)
	}
}
