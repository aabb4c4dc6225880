package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// getBlocklist serves every mitigation that restricts now (active or
// in_review; desk.Blocklist) with an ETag, so edge nodes poll cheaply
// (If-None-Match -> 304). Each entry keeps the fields edge nodes older
// than mitigations read (object_id, url_prefix, removed, case_id) and
// adds mitigation_id, type, entity_type, entity_id, countries and status.
func (s *Server) getBlocklist(c echo.Context) error {
	bs, err := s.Desk.Blocklist(c.Request().Context())
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"blocks": bs})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Response().Header().Set("ETag", etag)
	c.Response().Header().Set("Cache-Control", "no-cache")
	if match := c.Request().Header.Get("If-None-Match"); match == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "application/json", body)
}

// edge answers as an edge node would for host/path (desk.EdgeDecide): 451
// with a link to the public statement (RFC 7725) for content disabled or
// removed and for a legal block in the client's country; a warning page
// (200, text/html) for an interstitial, with a continue link for a
// misleading one only; 200 otherwise. The request URL and every entity are
// compared in their normal form (internal/urlnorm), so "/%64ir/",
// "/./dir/" and "/x/../dir/" are all "/dir/". The client's country comes
// from the header edge_country_header names, else from ?country=.
func (s *Server) edge(c echo.Context) error {
	r := c.Request()
	host, path := edgeTarget(r)
	country := r.Header.Get(s.countryHeader())
	if country == "" {
		country = r.URL.Query().Get(desk.EdgeCountryParam)
	}
	a, err := s.Desk.EdgeDecide(r.Context(), desk.EdgeRequest{Host: host, Path: path, Query: r.URL.RawQuery, Country: country})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Vary", s.countryHeader())
	if a.Action == desk.EdgePass {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok", "host": a.Host, "path": a.Path})
	}
	m := a.Mitigation
	link := s.Cfg.PublicURL + "/v1/blocked/" + url.PathEscape(m.ID)
	h.Set("Link", "<"+link+`>; rel="blocked-by"`)
	h.Set("X-Abusedesk-Mitigation", string(m.Type)+"; id="+m.ID)
	h.Set("Cache-Control", "no-store")
	if a.Action == desk.EdgeBlock {
		return c.JSON(http.StatusUnavailableForLegalReasons, map[string]any{
			"status": "unavailable for legal reasons", "type": m.Type, "mitigation_id": m.ID,
			"object_id": blockedObject(m.Step), "notice": link,
		})
	}
	var cont string
	if a.Continue != "" {
		cont = continueLink(r, a.Continue)
	}
	return interstitial(c, m.Type, a.URL, cont, link)
}

// countryHeader is the configured client-country header.
func (s *Server) countryHeader() string {
	if s.Cfg != nil && s.Cfg.Edge.CountryHeader != "" {
		return s.Cfg.Edge.CountryHeader
	}
	return "X-Client-Country"
}

// blockedObject names the hosted object of a mitigation converted from a
// block (migration 18), which old 451 answers named.
func blockedObject(step string) string {
	id, ok := strings.CutPrefix(step, "migrated-block:")
	if !ok {
		return ""
	}
	return id
}

// continueLink is the request's own /edge URL with the continue token of
// a misleading interstitial (any earlier token replaced).
func continueLink(r *http.Request, token string) string {
	var kept []string
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		if name, _, _ := strings.Cut(part, "="); part != "" && name != desk.EdgeContinueParam {
			kept = append(kept, part)
		}
	}
	kept = append(kept, desk.EdgeContinueParam+"="+url.QueryEscape(token))
	return r.URL.EscapedPath() + "?" + strings.Join(kept, "&")
}

// edgeTarget splits /edge/{host}/{path} of the request as sent, still
// percent-encoded: the router's decoded parameters would hide how the path
// was spelled (and decode "%2F" inconsistently).
func edgeTarget(r *http.Request) (host, path string) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/edge/")
	host, path, _ = strings.Cut(rest, "/")
	return host, "/" + path
}

// getBlocked is the public statement behind a 451 (desk.Blocked): what
// was restricted, why, under which case; no personal data. The ID is a
// mitigation's, or an object's in links given before mitigations.
func (s *Server) getBlocked(c echo.Context) error {
	if len(c.Param("object")) > 200 {
		return fail(http.StatusNotFound, "object", "no such restriction")
	}
	b, err := s.Desk.Blocked(c.Request().Context(), c.Param("object"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}
