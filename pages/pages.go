// Package pages serves abusedesk's web pages from the same binary as the
// JSON API: the public report form, the reporter's status page, the
// operator's response page, and the analyst and auditor console. Pages are
// html/template with one base layout; CSS and JS are embedded files under
// /assets/ so the server's strict Content-Security-Policy (no inline
// scripts or styles) holds. Every form carries a CSRF token (csrf.go); the
// console signs in with an API key and then keeps a session cookie
// (session.go).
package pages

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Deps are what the pages need, given by the composition root (app).
type Deps struct {
	// Desk does everything the pages show and ask for; the pages only read
	// forms and render answers.
	Desk *desk.Desk
	// Secret keys the MACs of CSRF tokens. Give every server process the
	// same one (the token secret).
	Secret []byte
	Log    *slog.Logger
}

// Pages holds the parsed templates and the dependencies of the handlers.
type Pages struct {
	desk *desk.Desk
	opt  Deps
	tmpl map[string]*template.Template
}

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{"report", "received", "status", "respond", "login", "queue", "case", "timeline", "error", "drift", "bulk", "dashboard"}

// New parses the templates; it panics on a broken template, which is a
// build-time mistake.
func New(d Deps) *Pages {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	p := &Pages{desk: d.Desk, opt: d, tmpl: map[string]*template.Template{}}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	for _, n := range pageNames {
		t := template.Must(base.Clone())
		p.tmpl[n] = template.Must(t.ParseFS(templateFS, "templates/"+n+".html"))
	}
	return p
}

// Routes registers the page routes. None clashes with /v1/*, /edge/*,
// /healthz, /metrics or /openapi.json.
func (p *Pages) Routes(e *echo.Echo) {
	assets, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err)
	}
	e.GET("/assets/*", echo.WrapHandler(http.StripPrefix("/assets/", cacheAssets(http.FileServerFS(assets)))))

	e.GET("/", p.page(p.reportForm), p.csrf)
	e.POST("/", p.page(p.submitReport), p.csrf)
	e.GET("/status/:id", p.page(p.statusPage), p.guardToken, p.csrf)
	e.POST("/status/:id/answer", p.page(p.postAnswer), p.guardToken, p.csrf)
	e.GET("/respond/:id", p.page(p.respondPage), p.guardToken, p.csrf)
	e.POST("/respond/:id", p.page(p.postRespond), p.guardToken, p.csrf)

	e.GET("/console/login", p.page(p.loginPage), p.csrf)
	e.POST("/console/login", p.page(p.postLogin), p.csrf)
	e.POST("/console/logout", p.page(p.postLogout), p.csrf)
	anyone := p.requireRole(models.RoleAnalyst, models.RoleAuditor)
	analyst := p.requireRole(models.RoleAnalyst)
	e.GET("/console", p.page(p.queue), p.csrf, anyone)
	e.GET("/console/cases/:id", p.page(p.casePage), p.csrf, analyst)
	e.POST("/console/cases/:id/decide", p.page(p.postDecide), p.csrf, analyst)
	e.POST("/console/cases/:id/claim", p.page(p.postClaim), p.csrf, analyst)
	e.POST("/console/cases/:id/release", p.page(p.postRelease), p.csrf, analyst)
	e.POST("/console/bulk", p.page(p.postBulk), p.csrf, analyst)
	e.POST("/console/cases/:id/mail-replies/:reply_id/accept", p.page(p.postAcceptMailReply), p.csrf, analyst)
	e.POST("/console/cases/:id/clearinghouse-filed", p.page(p.postClearinghouseFiled), p.csrf, analyst)
	e.POST("/console/cases/:id/referrals", p.page(p.postReferral), p.csrf, analyst) // DSA Art. 18 (referrals.go)
	e.GET("/console/cases/:id/timeline", p.page(p.timelinePage), p.csrf, anyone)
	e.GET("/console/senders", p.page(p.sendersPage), p.csrf, analyst)
	e.GET("/console/dashboard", p.page(p.dashboardPage), p.csrf, anyone)
	p.customerRoutes(e)
}

// cacheAssets lets browsers keep the assets a day; their URLs carry a
// version of their content (assetURL), so a new build is fetched at once.
func cacheAssets(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || r.URL.Path[len(r.URL.Path)-1] == '/' {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// view is what the layout renders: the page's own data in Data.
type view struct {
	Title string
	CSRF  string
	User  *userInfo
	Data  any
}

// userInfo is the signed-in key; Analyst shows the links to pages that
// need the analyst role.
type userInfo struct {
	Name, Role string
	Analyst    bool
}

// render executes a page template inside the layout. Pages are never
// cached: most carry a token or personal data.
func (p *Pages) render(c echo.Context, code int, name, title string, data any) error {
	v := view{Title: title, CSRF: csrfToken(c), Data: data}
	if k, ok := p.SessionKey(c); ok {
		v.User = &userInfo{Name: k.Name, Role: k.Role, Analyst: models.Role(k.Role).Allows(models.RoleAnalyst)}
	}
	return p.execute(c, code, p.tmpl[name], "layout.html", name, v)
}

// execute renders a template set's layout into the answer, never cached.
func (p *Pages) execute(c echo.Context, code int, t *template.Template, layout, name string, v any) error {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, layout, v); err != nil {
		p.opt.Log.Error("page template failed", "page", name, "err", err)
		return c.String(http.StatusInternalServerError, "internal error")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(code, b.Bytes())
}

// page turns a handler's error into an error page (the server's error
// handler answers JSON on "/", so pages answer their own errors).
func (p *Pages) page(h echo.HandlerFunc) echo.HandlerFunc { return p.answering(h, p.ErrorPage) }

// answering turns a handler's error into the page onError renders.
func (p *Pages) answering(h echo.HandlerFunc, onError func(echo.Context, int, []models.FieldError) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := h(c)
		if err == nil || c.Response().Committed {
			return nil
		}
		code, errs := statusOf(err)
		if code >= 500 {
			p.opt.Log.Error("page failed", "path", c.Path(), "err", err)
		}
		return onError(c, code, errs)
	}
}

// ErrorPage renders an error as a page; the server's error handler calls
// it for page routes (the composition root hands it over as
// server.Server.PageError). A console page without a session goes to the
// sign-in page.
func (p *Pages) ErrorPage(c echo.Context, code int, errs []models.FieldError) error {
	if code == http.StatusUnauthorized && isConsole(c) {
		return redirectToLogin(c)
	}
	return p.render(c, code, "error", http.StatusText(code), errorData{Code: code, Text: http.StatusText(code), Problems: errs})
}

type errorData struct {
	Code     int
	Text     string
	Problems []models.FieldError
}
