package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// postCustomers loads customer records (upsert by id), with an audit
// entry naming the admin.
func (s *Server) postCustomers(c echo.Context) error {
	var doc desk.CustomerDoc
	if err := bindStrict(c, &doc); err != nil {
		return err
	}
	res, err := s.Desk.LoadCustomers(c.Request().Context(), actor(c), &doc)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// getOutbox lists notices as delivered (or waiting), newest first, with
// working response links: the admin's view when no SMTP relay is set.
func (s *Server) getOutbox(c echo.Context) error {
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return fail(http.StatusBadRequest, "limit", "must be a number from 1 to 1000")
		}
		limit = n
	}
	out, err := s.Desk.Outbox(c.Request().Context(), c.QueryParam("case_id"), c.QueryParam("status"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"notices": out})
}

// RevokeSessionsRequest names the API key whose console sessions end: by
// its configured name, or by its hash (hex SHA-256, as in api_keys; also
// for a key no longer configured).
type RevokeSessionsRequest struct {
	KeyName string `json:"key_name"`
	KeyHash string `json:"key_hash"`
}

// postRevokeSessions ends every live console session of one API key, in
// every server process (the sessions live in the database).
func (s *Server) postRevokeSessions(c echo.Context) error {
	var req RevokeSessionsRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	n, err := s.Desk.RevokeSessions(c.Request().Context(), req.KeyName, req.KeyHash)
	if err != nil {
		return err
	}
	s.Log.Info("console sessions revoked", "actor", actor(c), "key_name", req.KeyName, "count", n)
	return c.JSON(http.StatusOK, map[string]int64{"revoked": n})
}
