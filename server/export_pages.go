package server

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/models"
)

// This file exports to the web pages (package pages) what the JSON
// handlers already do, so both answer from one implementation.

// StatusOf maps an error to its HTTP status and the problems to show, with
// the same table as the JSON API.
func StatusOf(err error) (int, []models.FieldError) { return statusOf(err) }

// Fail is an error answered with status and one problem about field.
func Fail(status int, field, format string, args ...any) error {
	return fail(status, field, format, args...)
}

// ReporterCase loads a case after checking the reporter's token; an unknown
// case and a wrong token get the same 404.
func (s *Server) ReporterCase(c echo.Context, id, token string) (models.Case, error) {
	return s.reporterCase(c, id, token)
}

// ReporterView is what the reporter's status page shows of a case.
func (s *Server) ReporterView(c echo.Context, cs models.Case) (ReporterView, error) {
	return s.reporterView(c, cs)
}

// ReporterAnswer records a reporter's answer to a need_info question and
// delivers it to the case, as POST /v1/reports/{id}/answer does
// (AnswerReporter, server/answers.go).
func (s *Server) ReporterAnswer(ctx context.Context, cs models.Case, answer string) error {
	_, err := s.AnswerReporter(ctx, cs, answer)
	return err
}

// OperatorNotice loads a notice after checking its response-link token.
func (s *Server) OperatorNotice(ctx context.Context, id, token string) (models.Notice, error) {
	return s.operatorNotice(ctx, id, token)
}

// OperatorView is what the operator's response page shows of a notice.
func (s *Server) OperatorView(ctx context.Context, n models.Notice) (OperatorView, error) {
	return s.operatorView(ctx, n)
}
