package pages

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
)

// The customer portal (docs/DESIGN.md "Mitigations", the customer's side):
// a customer signs in with its account key (an api_keys entry of role
// customer with its account, or a key issued through the admin API) and reads the reports about its domains, each
// report's mitigations and the mail the desk sent, appeals mitigations and
// sets its abuse contact. It keeps the console's session (desk.SignIn: the
// session row holds the key's hash; role and account are read from the
// configuration on each request) and the console's CSRF protection, but has
// a layout of its own: a customer sees no console link. Another account's
// report or mitigation is 404, never 403 (desk answers it so).

const (
	roleCustomer = "customer"
	ctxCustomer  = "pages.customer"
	portalHome   = "/portal"
)

// customerPages are the portal's templates, each rendered inside
// customer_layout.html (which reuses layout.html's "errors" and
// "fielderr").
var customerPages = []string{"customer_login", "customer_reports", "customer_report", "customer_contact", "customer_error"}

// customerTmpl parses the portal's templates; a broken one panics at
// start, as New does for the others.
var customerTmpl = func() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/customer_layout.html"))
	out := map[string]*template.Template{}
	for _, n := range customerPages {
		t := template.Must(base.Clone())
		out[n] = template.Must(t.ParseFS(templateFS, "templates/"+n+".html"))
	}
	return out
}()

// customerRoutes registers the portal and the analyst's review of an
// appeal (called from Routes).
func (p *Pages) customerRoutes(e *echo.Echo) {
	e.GET("/portal/login", p.portal(p.portalLoginPage), p.csrf)
	e.POST("/portal/login", p.portal(p.postPortalLogin), p.csrf)
	e.POST("/portal/logout", p.portal(p.postPortalLogout), p.csrf)
	e.GET("/portal", p.portal(p.portalReports), p.csrf, p.requireCustomer)
	e.GET("/portal/reports/:id", p.portal(p.portalReport), p.csrf, p.requireCustomer)
	e.POST("/portal/reports/:id/appeal", p.portal(p.postPortalAppeal), p.csrf, p.requireCustomer)
	e.GET("/portal/contact", p.portal(p.portalContact), p.csrf, p.requireCustomer)
	e.POST("/portal/contact", p.portal(p.postPortalContact), p.csrf, p.requireCustomer)
	// The analyst's answer to a customer's appeal, from the case page
	// (customer_review.go).
	e.POST("/console/cases/:id/mitigations/:mid/review", p.page(p.postReviewMitigation), p.csrf, p.requireRole(models.RoleAnalyst))
	e.GET("/console/appeals", p.page(p.appealsPage), p.csrf, p.requireRole(models.RoleAnalyst))
}

// portalUser is the signed-in customer, shown in the portal's header.
type portalUser struct{ Name, Account string }

// portalView is what customer_layout.html renders.
type portalView struct {
	Title string
	CSRF  string
	User  *portalUser
	// Nav marks the current section: reports or contact.
	Nav  string
	Data any
}

// customerKey is the customer key of the request's session (set by
// requireCustomer).
func customerKey(c echo.Context) config.APIKey {
	k, _ := c.Get(ctxCustomer).(config.APIKey)
	return k
}

// account is the signed-in customer's account.
func account(c echo.Context) string { return customerKey(c).Account }

// requireCustomer lets through a session of a customer key with an
// account; without a session it sends the browser to the portal's sign-in.
func (p *Pages) requireCustomer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		k, ok := p.cookieKey(c)
		if !ok {
			n := portalHome
			if c.Request().Method == http.MethodGet {
				n = c.Request().URL.RequestURI()
			}
			return c.Redirect(http.StatusSeeOther, "/portal/login?next="+url.QueryEscape(n))
		}
		if k.Role != roleCustomer || k.Account == "" {
			return p.portalError(c, http.StatusForbidden, []models.FieldError{{Field: "role",
				Message: "The customer portal is for customer account keys; you are signed in as " + k.Name + " with the " + k.Role + " role. Use the console."}})
		}
		c.Set(ctxCustomer, k)
		return next(c)
	}
}

// renderPortal executes a portal template inside the portal's layout.
func (p *Pages) renderPortal(c echo.Context, code int, name, title, nav string, data any) error {
	v := portalView{Title: title, CSRF: csrfToken(c), Nav: nav, Data: data}
	if k, ok := c.Get(ctxCustomer).(config.APIKey); ok {
		v.User = &portalUser{Name: k.Name, Account: k.Account}
	}
	return p.execute(c, code, customerTmpl[name], "portal", name, v)
}

// portal turns a handler's error into a portal error page.
func (p *Pages) portal(h echo.HandlerFunc) echo.HandlerFunc { return p.answering(h, p.portalError) }

func (p *Pages) portalError(c echo.Context, code int, errs []models.FieldError) error {
	return p.renderPortal(c, code, "customer_error", http.StatusText(code), "",
		errorData{Code: code, Text: http.StatusText(code), Problems: errs})
}

type portalLoginData struct {
	Next   string
	Errors fieldErrors
	Notice string
}

// safePortalNext keeps a post-sign-in redirect on the portal.
func safePortalNext(next string) string {
	if (next == portalHome || strings.HasPrefix(next, "/portal/") || strings.HasPrefix(next, "/portal?")) &&
		!strings.HasPrefix(next, "/portal/login") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return portalHome
}

func (p *Pages) portalLoginPage(c echo.Context) error {
	d := portalLoginData{Next: safePortalNext(c.QueryParam("next")), Errors: fieldErrors{}}
	if c.QueryParam("out") != "" {
		d.Notice = "You are signed out."
	}
	return p.renderPortal(c, http.StatusOK, "customer_login", "Sign in to the customer portal", "", d)
}

// postPortalLogin checks the account key and starts a session, with the
// console's limit on failed sign-ins (a wrong key counts as a failure).
func (p *Pages) postPortalLogin(c echo.Context) error {
	d := portalLoginData{Next: safePortalNext(c.FormValue("next")), Errors: fieldErrors{}}
	if err := p.authBlocked(c); err != nil {
		d.Errors.add("account_key", "Too many failed sign-ins from your address. Try again in "+
			c.Response().Header().Get("Retry-After")+" seconds.")
		return p.renderPortal(c, http.StatusTooManyRequests, "customer_login", "Sign in to the customer portal", "", d)
	}
	key := strings.TrimSpace(c.FormValue("account_key"))
	var k config.APIKey
	ok := false
	if key != "" && len(key) <= 200 {
		var err error
		// A configured key or one issued through the admin API.
		if k, ok, err = p.desk.APIKeyByHash(c.Request().Context(), config.HashKey(key)); err != nil {
			return err
		}
	}
	switch {
	case key == "":
		d.Errors.add("account_key", "Enter your account key.")
	case !ok:
		p.noteAuthFailure(c)
		d.Errors.add("account_key", "This account key is not valid.")
	case k.Role != roleCustomer || k.Account == "":
		d.Errors.add("account_key", "This key is not a customer account key (its role is "+k.Role+"). Staff sign in at /console/login.")
	}
	if d.Errors.Any() {
		return p.renderPortal(c, http.StatusUnauthorized, "customer_login", "Sign in to the customer portal", "", d)
	}
	v, err := p.desk.SignIn(c.Request().Context(), k)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: v, Path: "/", HttpOnly: true, Secure: secure(c),
		SameSite: http.SameSiteLaxMode, MaxAge: int(p.desk.SessionLifetime() / time.Second)})
	return c.Redirect(http.StatusSeeOther, d.Next)
}

// postPortalLogout ends the session in the database and clears the cookie.
func (p *Pages) postPortalLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := p.desk.SignOut(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: secure(c),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, "/portal/login?out=1")
}
