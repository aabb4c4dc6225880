package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// CustomerJournal records a customer-record change in the audit log, in
// the transaction of the change. Nil: no audit log.
var CustomerJournal func(tx *gorm.DB, actor string, r store.LoadResult) error

func (s *Server) postCustomers(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var doc store.CustomerDoc
	if err := decodeStrict(body, &doc); err != nil {
		return err
	}
	if errs := store.ValidateCustomers(&doc); len(errs) > 0 {
		return &problem{Status: http.StatusUnprocessableEntity, Errors: errs}
	}
	who := actor(c)
	res, err := store.LoadCustomers(s.DB.WithContext(c.Request().Context()), &doc, func(tx *gorm.DB, r store.LoadResult) error {
		if CustomerJournal != nil {
			return CustomerJournal(tx, who, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// OutboxJSON is a stored notice with its deliverable body (live link).
type OutboxJSON struct {
	NoticeJSON
	CaseID string `json:"case_id"`
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
	q := s.DB.WithContext(c.Request().Context()).Order("created_at DESC").Limit(limit)
	if id := c.QueryParam("case_id"); id != "" {
		q = q.Where("case_id = ?", id)
	}
	if st := c.QueryParam("status"); st != "" {
		q = q.Where("status = ?", st)
	}
	var ns []models.Notice
	if err := q.Find(&ns).Error; err != nil {
		return err
	}
	out := make([]OutboxJSON, 0, len(ns))
	for _, n := range ns {
		j := caseJSON(models.Case{}, []models.Notice{n}).Notices[0]
		j.Body = s.Links.Body(n)
		out = append(out, OutboxJSON{NoticeJSON: j, CaseID: n.CaseID})
	}
	return c.JSON(http.StatusOK, map[string]any{"notices": out})
}
