package pages

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type portalContactData struct {
	Current, Fallback, Email, Saved string
	Errors                          fieldErrors
}

// portalContact shows the account's abuse contact and the form to change
// it.
func (p *Pages) portalContact(c echo.Context) error {
	cur, err := p.desk.AbuseContact(c.Request().Context(), account(c))
	if err != nil {
		return err
	}
	d := portalContactData{Current: cur, Email: cur, Errors: fieldErrors{}}
	if c.QueryParam("saved") != "" {
		d.Saved = "Saved."
	}
	return p.renderPortal(c, http.StatusOK, "customer_contact", "Abuse contact", "contact", d)
}

// postPortalContact sets (or, empty, removes) the abuse contact.
func (p *Pages) postPortalContact(c echo.Context) error {
	email, errs := readContact(c.Request().PostForm)
	ctx, acct := c.Request().Context(), account(c)
	if !errs.Any() {
		err := p.desk.SetAbuseContact(ctx, acct, email)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/portal/contact?saved=1")
		}
		code, ps := statusOf(err)
		if code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
			return err
		}
		for _, pr := range ps {
			errs.add("email", pr.Message)
		}
	}
	cur, err := p.desk.AbuseContact(ctx, acct)
	if err != nil {
		return err
	}
	return p.renderPortal(c, http.StatusUnprocessableEntity, "customer_contact", "Abuse contact", "contact",
		portalContactData{Current: cur, Email: email, Errors: errs})
}
