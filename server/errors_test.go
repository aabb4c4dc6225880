package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// TestErrorsThroughDeskTable: the handlers' own refusals, desk's errors
// and Echo's errors come out with their status and the API's error shape;
// a page route's error goes to the page renderer instead.
func TestErrorsThroughDeskTable(t *testing.T) {
	var paged int
	s := &Server{Cfg: &config.Config{MaxBodyBytes: 1 << 20}, Log: nil,
		PageError: func(c echo.Context, code int, _ []models.FieldError) error { paged = code; return c.NoContent(code) }}
	e := echo.New()
	answer := func(path string, err error) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, path, nil), rec)
		c.SetPath(path)
		s.JSONError(err, c)
		return rec
	}
	cases := []struct {
		err    error
		status int
		field  string
	}{
		{fail(http.StatusBadRequest, "limit", "bad"), http.StatusBadRequest, "limit"},
		{fail(http.StatusTooManyRequests, "", "slow down"), http.StatusTooManyRequests, ""},
		{desk.Conflict("verdict", "case is closed"), http.StatusConflict, "verdict"},
		{echo.ErrStatusRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "body"},
		{echo.ErrNotFound, http.StatusNotFound, ""},
	}
	for _, c := range cases {
		rec := answer("/v1/cases", c.err)
		require.Equal(t, c.status, rec.Code, "%v", c.err)
		var body struct{ Errors []models.FieldError }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		require.Equal(t, c.field, body.Errors[0].Field)
	}
	require.Equal(t, `Bearer realm="abusedesk"`, answer("/v1/cases", fail(http.StatusUnauthorized, "Authorization", "key")).Header().Get("WWW-Authenticate"))
	require.Zero(t, paged)
	answer("/console/cases/:id", desk.NotFound("", "not found"))
	require.Equal(t, http.StatusNotFound, paged, "a page route's error is the page's")
}
