package server

import (
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/store"
)

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
	var hashes []string
	switch {
	case (req.KeyName == "") == (req.KeyHash == ""):
		return fail(http.StatusUnprocessableEntity, "key_name", "give either key_name or key_hash")
	case req.KeyName != "":
		for _, k := range s.Cfg.APIKeys {
			if k.Name == req.KeyName {
				hashes = append(hashes, k.Hash)
			}
		}
		if len(hashes) == 0 {
			return fail(http.StatusUnprocessableEntity, "key_name", "no configured API key has this name")
		}
	default:
		h := strings.ToLower(req.KeyHash)
		if _, err := hex.DecodeString(h); err != nil || len(h) != 64 {
			return fail(http.StatusUnprocessableEntity, "key_hash", "must be 64 hex characters (SHA-256 of the key)")
		}
		hashes = []string{h}
	}
	n, err := store.RevokeKeySessions(s.DB.WithContext(c.Request().Context()), hashes, time.Now())
	if err != nil {
		return err
	}
	s.Log.Info("console sessions revoked", "actor", actor(c), "key_name", req.KeyName, "count", n)
	return c.JSON(http.StatusOK, map[string]int64{"revoked": n})
}
