package server

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// Orders from authorities (docs/DESIGN.md "Orders"): POST /v1/orders (an
// admin records an order, an authority files one with its key), GET
// /v1/orders/{id} (an authority sees only its own: 404 otherwise) and GET
// /v1/orders (admin, analyst, auditor).

// orderUseCases are the desk's order use cases (*desk.Desk).
type orderUseCases interface {
	FileOrder(ctx context.Context, who desk.OrderCaller, r desk.OrderRequest) (desk.OrderView, error)
	Order(ctx context.Context, who desk.OrderCaller, id string) (desk.OrderView, error)
	Orders(ctx context.Context, kind, status string, page, perPage int) (desk.OrderList, error)
}

// maxOrderBody bounds an order's body: 1000 URLs of 2000 characters and
// the texts.
const maxOrderBody = 4 << 20

func (s *Server) orders() (orderUseCases, error) {
	o, ok := s.Desk.(orderUseCases)
	if !ok {
		return nil, fail(http.StatusServiceUnavailable, "", "orders are not available")
	}
	return o, nil
}

func orderCaller(c echo.Context) desk.OrderCaller {
	role, _ := c.Get(ctxRole).(string)
	return desk.OrderCaller{Name: actor(c), Role: models.Role(role)}
}

func (s *Server) postOrder(c echo.Context) error {
	uc, err := s.orders()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxOrderBody+1))
	if err != nil {
		return fail(http.StatusBadRequest, "body", "could not read the body: %v", err)
	}
	if len(body) > maxOrderBody {
		return fail(http.StatusRequestEntityTooLarge, "body", "an order's body is at most %d bytes", maxOrderBody)
	}
	var r desk.OrderRequest
	if err := decodeStrict(body, &r); err != nil {
		return err
	}
	v, err := uc.FileOrder(c.Request().Context(), orderCaller(c), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) getOrder(c echo.Context) error {
	uc, err := s.orders()
	if err != nil {
		return err
	}
	v, err := uc.Order(c.Request().Context(), orderCaller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listOrders(c echo.Context) error {
	uc, err := s.orders()
	if err != nil {
		return err
	}
	var ps []models.FieldError
	num := func(name string, def int) int {
		v := c.QueryParam(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || len(v) > 7 {
			ps = append(ps, models.FieldError{Field: name, Message: "must be a whole number"})
		}
		return n
	}
	page, per := num("page", 1), num("per_page", 20)
	kind, status := c.QueryParam("kind"), c.QueryParam("status")
	if len(kind) > 40 || len(status) > 40 {
		ps = append(ps, models.FieldError{Field: "kind", Message: "too long"})
	}
	if len(ps) > 0 {
		return desk.Problems(desk.KindBadRequest, ps)
	}
	l, err := uc.Orders(c.Request().Context(), kind, status, page, per)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

// requireOrderReader lets through the readers of one order: admin,
// analyst, auditor, and an authority (which desk limits to its own).
func (s *Server) requireOrderReader(next echo.HandlerFunc) echo.HandlerFunc {
	an, au, ay := s.RequireRole(models.RoleAnalyst)(next), s.RequireRole(models.RoleAuditor)(next), s.RequireRole(desk.RoleAuthority)(next)
	return func(c echo.Context) error {
		if k, ok := s.authenticate(c); ok {
			switch models.Role(k.Role) {
			case models.RoleAuditor:
				return au(c)
			case desk.RoleAuthority:
				return ay(c)
			}
		}
		return an(c)
	}
}

// orderSchema documents the body of POST /v1/orders.
func orderSchema() map[string]any {
	dt := map[string]any{"type": "string", "format": "date-time"}
	// Required here: what every kind carries. redress (dsa_art9, dsa_art10,
	// tco_removal) and territorial_scope (dsa_art9, court) per kind
	// (models.OrderMustCarry); an admin's recorded order lacking one is
	// stored and refused (README "Order refusals").
	return obj([]string{"kind", "authority", "member_state", "legal_basis", "statement_of_reasons", "urls", "received_at"}, map[string]any{
		"kind":                          map[string]any{"type": "string", "enum": []string{"dsa_art9", "dsa_art10", "tco_removal", "court"}},
		"authority":                     obj([]string{"name", "contact"}, map[string]any{"name": str, "contact": map[string]any{"type": "string", "format": "email"}}),
		"member_state":                  map[string]any{"type": "string", "description": "ISO 3166-1 alpha-2 of the issuing member state (EU/EEA except for court orders)"},
		"content_type":                  map[string]any{"type": "string", "enum": models.OrderContentTypes},
		"legal_basis":                   str,
		"statement_of_reasons":          str,
		"redress":                       map[string]any{"type": "string", "description": "required for dsa_art9, dsa_art10 and tco_removal"},
		"reference":                     str,
		"decision_ground_reference_url": map[string]any{"type": "string", "format": "uri"},
		"urls":                          map[string]any{"type": "array", "minItems": 1, "maxItems": desk.MaxOrderURLs, "items": map[string]any{"type": "string", "format": "uri"}},
		"territorial_scope":             map[string]any{"description": `ISO 3166-1 alpha-2 codes, or "everywhere"; required for dsa_art9 and court, "everywhere" when a tco_removal or dsa_art10 names none`, "type": "array", "items": str},
		"received_at":                   dt,
		"notify_customer_after":         dt,
	})
}
