package models

// ReportRequest is the body of POST /v1/reports (docs/DESIGN.md, "API contract"). It
// is also what the email and X-ARF intakes produce, so every channel takes
// the same validation.
type ReportRequest struct {
	Category          Category        `json:"category"`
	URLs              []string        `json:"urls"`
	Description       string          `json:"description"`
	Reporter          Reporter        `json:"reporter"`
	ForwardToOperator *bool           `json:"forward_to_operator,omitempty"`
	Copyright         *CopyrightClaim `json:"copyright,omitempty"`
	// OwnerNotification, HostNotification and NcmecNotification are the
	// reporter's choice per recipient (Notification; "" = the category's
	// default, intake.ResolveChoices).
	OwnerNotification Notification `json:"owner_notification,omitempty"`
	HostNotification  Notification `json:"host_notification,omitempty"`
	NcmecNotification Notification `json:"ncmec_notification,omitempty"`
	// NCSEI carries the TAKE IT DOWN Act elements of an ncsei report.
	NCSEI *NCSEIClaim `json:"ncsei,omitempty"`
	// Emergency: someone's life or safety is in immediate danger. The case
	// sorts right after CSAM in the analyst's queue.
	Emergency bool `json:"emergency,omitempty"`
	// Source says which channel the report came in on: "api" (default),
	// "form", "email", "xarf". Set by the server, never by the reporter.
	Source string `json:"-"`
	// Untrusted is set by the email intake when the sender failed DMARC.
	Untrusted bool `json:"-"`
}

// Reporter is the reporter's contact.
type Reporter struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organization string `json:"organization,omitempty"`
	Title        string `json:"title,omitempty"`
}

// CopyrightClaim carries the 17 U.S.C. 512(c)(3) elements beyond the URLs and
// the contact.
type CopyrightClaim struct {
	Work                 string `json:"work"`
	GoodFaith            bool   `json:"good_faith"`
	AccurateUnderPenalty bool   `json:"accurate_under_penalty"`
	Signature            string `json:"signature"`
}

// FieldError names one problem with one input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}
