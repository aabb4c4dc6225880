package desk

import (
	"errors"
	"fmt"
	"net/http"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// Kind is what went wrong with a use case, whatever the front end.
type Kind int

// Kinds of errors, each answered with one HTTP status (Status).
const (
	KindInternal     Kind = iota // a fault of ours or of a dependency
	KindBadRequest               // a parameter or body that cannot be read
	KindUnauthorized             // no (valid) credentials
	KindForbidden                // credentials without the right
	KindNotFound                 // no such thing (or not for this token)
	KindConflict                 // the thing is in a state that refuses it
	KindGone                     // it was there and expired
	KindTooLarge                 // a body over the limit
	KindInvalid                  // well-formed, but the values are wrong
	KindTooMany                  // too many attempts
	KindUnavailable              // nothing happened; retry later
)

// Status is the HTTP status of a kind: the one table both front ends use.
func (k Kind) Status() int {
	switch k {
	case KindBadRequest:
		return http.StatusBadRequest
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindForbidden:
		return http.StatusForbidden
	case KindNotFound:
		return http.StatusNotFound
	case KindConflict:
		return http.StatusConflict
	case KindGone:
		return http.StatusGone
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindInvalid:
		return http.StatusUnprocessableEntity
	case KindTooMany:
		return http.StatusTooManyRequests
	case KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Error is a use case's refusal: its kind and every problem, each naming
// the field (or parameter) it is about.
type Error struct {
	Kind     Kind
	Problems []models.FieldError
}

func (e *Error) Error() string { return fmt.Sprintf("%d: %v", e.Kind.Status(), e.Problems) }

// Fail is an error of kind with one problem about field.
func Fail(kind Kind, field, format string, args ...any) error {
	return &Error{Kind: kind, Problems: []models.FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// Problems is an error of kind with the problems ps.
func Problems(kind Kind, ps []models.FieldError) error { return &Error{Kind: kind, Problems: ps} }

// Shorthands for the common kinds.
func NotFound(field, format string, args ...any) error {
	return Fail(KindNotFound, field, format, args...)
}

// Conflict: the thing is in a state that refuses the request.
func Conflict(field, format string, args ...any) error {
	return Fail(KindConflict, field, format, args...)
}

// Invalid: the request's values are wrong.
func Invalid(field, format string, args ...any) error {
	return Fail(KindInvalid, field, format, args...)
}

// BadRequest: a parameter that cannot be read.
func BadRequest(field, format string, args ...any) error {
	return Fail(KindBadRequest, field, format, args...)
}

// Classify is the one table from errors to their kind and the problems to
// show: desk's own errors, intake's, the workflow validators' refusals,
// the payload codec's, and "not found" from the database or Temporal.
// Anything else is internal, shown without detail.
func Classify(err error) (Kind, []models.FieldError) {
	var e *Error
	var inv *intake.Invalid
	var app *temporal.ApplicationError
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &e):
		return e.Kind, e.Problems
	case errors.As(err, &inv):
		return KindInvalid, inv.Problems
	case errors.Is(err, intake.ErrUnavailable):
		return KindUnavailable, []models.FieldError{{Field: "", Message: "the desk cannot take reports right now; nothing was stored; retry later"}}
	case errors.As(err, &app) && app.Type() == workflows.ErrTypeDecisionConflict:
		return KindConflict, []models.FieldError{{Field: "verdict", Message: app.Message()}}
	case errors.As(err, &app) && app.Type() == workflows.ErrTypeMalformedDecision:
		return KindInvalid, []models.FieldError{{Field: "verdict", Message: app.Message()}}
	case errors.Is(err, codec.ErrUnknownKeyID), errors.Is(err, codec.ErrDecryptFailed):
		return KindInternal, []models.FieldError{{Field: "payload_keys", Message: err.Error() + "; ?encoded=1 serves the history as stored"}}
	case errors.Is(err, gorm.ErrRecordNotFound), errors.As(err, &nf):
		return KindNotFound, []models.FieldError{{Field: "", Message: "not found"}}
	}
	return KindInternal, []models.FieldError{{Field: "", Message: "internal error"}}
}

// StatusOf is Classify with the kind's HTTP status.
func StatusOf(err error) (int, []models.FieldError) {
	k, ps := Classify(err)
	return k.Status(), ps
}
