package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// The reference's v4 envelope (../shared/reference/customer-api.md;
// docs/DESIGN.md "API contract"): every answer under /client/v4/ is
// {"success", "errors", "messages", "result"}, paged lists add
// "result_info".

// V4Error is one entry of a v4 envelope's errors.
type V4Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// V4ResultInfo is the paging of a v4 list. The reference's customer lists
// answer page and per_page only (Count and TotalCount left zero).
type V4ResultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count,omitempty"`
	TotalCount int `json:"total_count,omitempty"`
}

type v4Envelope struct {
	Success    bool          `json:"success"`
	Errors     []V4Error     `json:"errors"`
	Messages   []V4Error     `json:"messages"`
	Result     any           `json:"result"`
	ResultInfo *V4ResultInfo `json:"result_info,omitempty"`
}

// v4OK answers a v4 success.
func v4OK(c echo.Context, status int, result any, info *V4ResultInfo) error {
	return c.JSON(status, v4Envelope{Success: true, Errors: []V4Error{}, Messages: []V4Error{}, Result: result, ResultInfo: info})
}

// v4Fail answers a v4 failure with every problem listed.
func v4Fail(c echo.Context, status int, errs []V4Error) error {
	if len(errs) == 0 {
		errs = []V4Error{{Code: status, Message: http.StatusText(status)}}
	}
	return c.JSON(status, v4Envelope{Success: false, Errors: errs, Messages: []V4Error{}, Result: nil})
}
