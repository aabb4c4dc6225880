package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
)

// ctxAccount is the account of a request's customer key.
const ctxAccount = "customer.account"

// keyFinder finds issued API keys (desk.Desk.APIKeyByHash); the configured
// ones are in s.keys.
type keyFinder interface {
	APIKeyByHash(ctx context.Context, hash string) (config.APIKey, bool, error)
}

// issuedKey finds a Bearer key among the keys an admin issued through the
// API (docs/DESIGN.md "Customer accounts").
func (s *Server) issuedKey(c echo.Context, hash string) (config.APIKey, bool) {
	f, ok := s.Desk.(keyFinder)
	if !ok {
		return config.APIKey{}, false
	}
	k, found, err := f.APIKeyByHash(c.Request().Context(), hash)
	if err != nil {
		s.Log.Error("issued key lookup failed", "err", err)
		return config.APIKey{}, false
	}
	return k, found
}

// RequireCustomer lets through customer keys only, and sets the key's
// account for the handler (customerAccount). A client locked out after
// failed authentications gets 429 first; a wrong Bearer key counts as a
// failure. Under /client/v4/ the account in the path must be the key's:
// another account is 404, as for an account that does not exist.
func (s *Server) RequireCustomer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.AuthBlocked(c); err != nil {
			return err
		}
		k, ok := s.authenticate(c)
		if !ok {
			if strings.HasPrefix(c.Request().Header.Get("Authorization"), "Bearer ") {
				s.NoteAuthFailure(c)
			}
			return fail(http.StatusUnauthorized, "Authorization", "a valid customer API key is required (Authorization: Bearer <key>)")
		}
		if k.Role != "customer" || k.Account == "" {
			return fail(http.StatusForbidden, "Authorization", "this endpoint needs a customer key (role customer, with its account); the key has %s", k.Role)
		}
		if p := c.Param("account_id"); c.ParamNames() != nil && hasParam(c, "account_id") && p != k.Account {
			return desk.NotFound("account_id", "no such account")
		}
		c.Set(ctxActor, k.Name)
		c.Set(ctxRole, k.Role)
		c.Set(ctxAccount, k.Account)
		return next(c)
	}
}

func hasParam(c echo.Context, name string) bool {
	for _, p := range c.ParamNames() {
		if p == name {
			return true
		}
	}
	return false
}

// customerAccount is the account of the request's customer key.
func customerAccount(c echo.Context) string {
	a, _ := c.Get(ctxAccount).(string)
	return a
}
