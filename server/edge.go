package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
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
	var bs []models.Block
	if err := s.DB.WithContext(c.Request().Context()).Order("object_id").Find(&bs).Error; err != nil {
		return err
	}
	out := make([]BlockJSON, len(bs))
	for i, b := range bs {
		out[i] = BlockJSON{ObjectID: b.ObjectID, URLPrefix: b.URLPrefix, Removed: b.Removed, CaseID: b.CaseID}
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
// notice for a disabled object (RFC 7725), 200 otherwise.
func (s *Server) edge(c echo.Context) error {
	host, err := store.NormalizeHost(c.Param("host"))
	if err != nil {
		return fail(http.StatusBadRequest, "host", "%v", err)
	}
	path := "/" + strings.TrimPrefix(c.Param("*"), "/")
	// A block is recorded under the customer domain of its object, which
	// may be a parent of the host (https://img.pages.example/ is an object
	// of pages.example): look under the host and each parent domain; the
	// URL prefix decides.
	labels := strings.Split(host, ".")
	domains := make([]string, 0, len(labels))
	for i := range labels {
		domains = append(domains, strings.Join(labels[i:], "."))
	}
	var bs []models.Block
	if err := s.DB.WithContext(c.Request().Context()).Where("domain IN ?", domains).Find(&bs).Error; err != nil {
		return err
	}
	for _, scheme := range []string{"https://", "http://"} {
		u := scheme + host + path
		for _, b := range bs {
			if strings.HasPrefix(u, b.URLPrefix) {
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

// getBlocked is the public statement behind a 451: what was restricted,
// why, under which case; no personal data.
func (s *Server) getBlocked(c echo.Context) error {
	var b models.Block
	if err := s.DB.WithContext(c.Request().Context()).First(&b, "object_id = ?", c.Param("object")).Error; err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"object_id": b.ObjectID, "url_prefix": b.URLPrefix, "case_id": b.CaseID,
		"restriction": map[bool]string{true: "removed", false: "access disabled"}[b.Removed],
		"ground":      b.Reason, "since": b.CreatedAt,
	})
}
