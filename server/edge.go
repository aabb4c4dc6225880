package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
)

// BlockJSON is one entry of the blocklist edge nodes poll.
type BlockJSON struct {
	ObjectID  string `json:"object_id"`
	URLPrefix string `json:"url_prefix"`
	Removed   bool   `json:"removed"`
	CaseID    string `json:"case_id"`
}

// getBlocklist serves every disabled object with an ETag, so edge nodes
// poll cheaply (If-None-Match -> 304).
func (s *Server) getBlocklist(c echo.Context) error {
	bs, err := s.Desk.Blocklist(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]BlockJSON, len(bs))
	for i, b := range bs {
		// Served in normal form (rows recorded before normalisation may
		// not be), so an edge node compares it with normalised request URLs.
		out[i] = BlockJSON{ObjectID: b.ObjectID, URLPrefix: urlnorm.Prefix(b.URLPrefix), Removed: b.Removed, CaseID: b.CaseID}
	}
	body, err := json.Marshal(map[string]any{"blocks": out})
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

// edge answers as an edge node would for host/path: 451 with a link to the
// notice for a disabled object (RFC 7725), 200 otherwise. The request URL
// and every stored prefix are compared in their normal form
// (internal/urlnorm), so "/%64ir/", "/./dir/" and "/x/../dir/" are all
// "/dir/"; blocks recorded before prefixes were normalised match too.
func (s *Server) edge(c echo.Context) error {
	rawHost, rawPath := edgeTarget(c.Request())
	var urls []string
	host := ""
	for _, scheme := range []string{"https", "http"} {
		u, err := urlnorm.URL(scheme + "://" + rawHost + rawPath)
		if err != nil {
			return fail(http.StatusBadRequest, "host", "%v", err)
		}
		urls = append(urls, u)
		if host == "" {
			host, _, _ = strings.Cut(strings.TrimPrefix(u, "https://"), "/")
		}
	}
	path := strings.TrimPrefix(urls[0], "https://"+host)
	// A block is recorded under the customer domain of its object, which
	// may be a parent of the host (https://img.pages.example/ is an object
	// of pages.example): look under the host and each parent domain; the
	// URL prefix decides.
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	labels := strings.Split(name, ".")
	domains := make([]string, 0, len(labels))
	for i := range labels {
		domains = append(domains, strings.Join(labels[i:], "."))
	}
	bs, err := s.Desk.BlocksOfDomains(c.Request().Context(), domains)
	if err != nil {
		return err
	}
	for _, u := range urls {
		for _, b := range bs {
			if urlnorm.Under(u, urlnorm.Prefix(b.URLPrefix)) {
				link := fmt.Sprintf("%s/v1/blocked/%s", s.Cfg.PublicURL, b.ObjectID)
				c.Response().Header().Set("Link", "<"+link+`>; rel="blocked-by"`)
				return c.JSON(http.StatusUnavailableForLegalReasons, map[string]string{
					"status": "unavailable for legal reasons", "object_id": b.ObjectID, "notice": link,
				})
			}
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "host": host, "path": path})
}

// edgeTarget splits /edge/{host}/{path} of the request as sent, still
// percent-encoded: the router's decoded parameters would hide how the path
// was spelled (and decode "%2F" inconsistently).
func edgeTarget(r *http.Request) (host, path string) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/edge/")
	host, path, _ = strings.Cut(rest, "/")
	return host, "/" + path
}

// getBlocked is the public statement behind a 451: what was restricted,
// why, under which case; no personal data.
func (s *Server) getBlocked(c echo.Context) error {
	b, err := s.Desk.Block(c.Request().Context(), c.Param("object"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"object_id": b.ObjectID, "url_prefix": urlnorm.Prefix(b.URLPrefix), "case_id": b.CaseID,
		"restriction": map[bool]string{true: "removed", false: "access disabled"}[b.Removed],
		"ground":      b.Reason, "since": b.CreatedAt,
	})
}
