package pages

import (
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"io/fs"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/models"
)

// assetVersion is a hash of the embedded assets, appended to their URLs so
// a cached copy never outlives a new build.
var assetVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(assetFS, "assets", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(assetFS, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

var funcs = template.FuncMap{
	"asset":    func(name string) string { return "/assets/" + name + "?v=" + assetVersion },
	"when":     when,
	"whenSec":  whenSec,
	"category": categoryLabel,
	"status":   func(s models.Status) string { return statusText[s] },
	"outcome":  func(o models.Outcome) string { return outcomeText[o] },
	"lines":    func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") },
	"join":     strings.Join,
	"fe":       func(f fieldErrors, field string) fieldMsgs { return fieldMsgs{ID: safeID(field), Msgs: f[field]} },
	"invalid":  invalidAttrs,
	"id":       safeID,
}

// fieldMsgs are one field's problems, for the "fielderr" template.
type fieldMsgs struct {
	ID   string
	Msgs []string
}

// invalidAttrs marks a field with problems for assistive technology and
// points it at its message.
func invalidAttrs(f fieldErrors, field string) template.HTMLAttr {
	if !f.Has(field) {
		return ""
	}
	id := safeID(field)
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + id + `-error"`)
}

// safeID keeps an element id to [a-z0-9_-].
func safeID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, strings.ToLower(s))
}

// when formats a time for people: UTC, to the minute.
func when(v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if t == nil {
			return ""
		}
		return when(*t)
	}
	return ""
}

// whenSec formats a time to the second, for timelines.
func whenSec(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// categoryLabels name the categories for reporters.
var categoryLabels = map[models.Category]string{
	models.CategoryCopyright:           "Copyright infringement (DMCA notice)",
	models.CategoryTrademark:           "Trademark infringement",
	models.CategoryPhishing:            "Phishing",
	models.CategoryMalware:             "Malware, or command and control",
	models.CategoryCSAM:                "Child sexual abuse material (CSAM)",
	models.CategoryViolentThreat:       "Violent threats or incitement",
	models.CategoryPersonalInformation: "Personal information published without consent (doxxing)",
	models.CategoryControlledSubst:     "Sale of controlled substances",
	models.CategoryHumanTrafficking:    "Human trafficking",
	models.CategoryDefamation:          "Defamation established by a court",
	models.CategoryFraud:               "Fraud or scam",
	models.CategoryRegistrarWhois:      "Inaccurate domain registration (WHOIS) data",
	models.CategoryRegistrarHijacking:  "Domain hijacking",
	models.CategoryNCSEI:               "Non-consensual intimate imagery (NCSEI)",
	models.CategoryOther:               "Other illegal or harmful content",
}

func categoryLabel(c models.Category) string {
	if l, ok := categoryLabels[c]; ok {
		return l
	}
	return string(c)
}

// statusText says, for reporters and analysts alike, where a case is. It
// names no operator, domain or address.
var statusText = map[models.Status]string{
	models.StatusReceived:           "Received: we are starting to process your report.",
	models.StatusClassifying:        "Received: we are finding out which of our services the reported addresses use.",
	models.StatusForwarding:         "Forwarding the report to the parties who can act on it.",
	models.StatusAwaitingAnalyst:    "An analyst is reviewing the reported content.",
	models.StatusAwaitingReporter:   "Waiting for more information from the reporter.",
	models.StatusAwaitingOperator:   "Action was taken; the website operator was asked to respond.",
	models.StatusDisputed:           "The decision was disputed and is being reviewed again.",
	models.StatusCounterNotice:      "A counter-notice was received; access will be restored unless a court action is filed.",
	models.StatusRegistrarReview:    "The domain registration is being reviewed.",
	models.StatusAwaitingRegistrant: "The domain's registrant was asked to correct the registration data.",
	models.StatusClosed:             "Closed.",
}

// outcomeText explains how a closed case ended.
var outcomeText = map[models.Outcome]string{
	models.OutcomeForwarded:                "Forwarded: we do not host this content, so we passed your report to its hosting provider.",
	models.OutcomeNotOurCustomer:           "Not our customer: none of the reported addresses uses our services.",
	models.OutcomeNoViolation:              "No violation found: an analyst reviewed the content and found it does not break our terms.",
	models.OutcomeContentRemoved:           "Content removed.",
	models.OutcomeContentRemovedNoResponse: "Content removed: the website operator did not answer in time.",
	models.OutcomeRestored:                 "Access restored after review.",
	models.OutcomeRestrictionUpheld:        "Restriction upheld after review.",
	models.OutcomeCourtAction:              "A court action is pending; the content stays disabled.",
	models.OutcomeNoInfo:                   "Closed: the information we asked for did not arrive in time.",
	models.OutcomeRegistrarAnswered:        "Answered: as the registrar we act only on domain-level concerns; we told you how to reach the registrant.",
	models.OutcomeDomainSuspended:          "Domain suspended.",
	models.OutcomeDomainCorrected:          "The registration data was corrected.",
	models.OutcomeDomainLocked:             "Domain locked.",
}

// fieldErrors maps a form field to its problems, for showing each message
// beside its field.
type fieldErrors map[string][]string

func (f fieldErrors) add(field, msg string) { f[field] = append(f[field], msg) }

// For lists the problems of one field.
func (f fieldErrors) For(field string) []string { return f[field] }

// Has reports whether a field has a problem.
func (f fieldErrors) Has(field string) bool { return len(f[field]) > 0 }

// Any reports whether there is any problem.
func (f fieldErrors) Any() bool { return len(f) > 0 }

func problemsOf(errs []models.FieldError) fieldErrors {
	out := fieldErrors{}
	for _, e := range errs {
		out.add(e.Field, e.Message)
	}
	return out
}
