package app

import (
	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/pages"
	"github.com/abusedesk/abusedesk/server"
)

func init() {
	OnRoutes((*App).pageRoutes)
}

// pageRoutes serves the web pages (report form, reporter status, operator
// response, analyst and auditor console) and gives the server the pages'
// session cookie and HTML error pages.
func (a *App) pageRoutes(e *echo.Echo, s *server.Server) {
	p := pages.New(s, pages.Options{Secret: []byte(a.Cfg.TokenSecret), Payloads: codec.DisplayConverter(a.KeyRing), Log: a.Log})
	s.SessionKey = p.SessionKey
	s.ErrorPage = p.ErrorPage
	p.Routes(e)
}
