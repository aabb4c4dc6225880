package intake

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// The reference's report form (POST /client/v4/accounts/{account_id}/
// abuse-reports/{report_type}; README "Reports in the reference's shape";
// ../shared/reference/customer-api.md "The report form"): its report types
// (act), field names and limits, turned into the ReportRequest that every
// other channel makes, so the same validation and the same case follow.

// SourceV4 is the channel of a report filed through the reference's form.
const SourceV4 = "v4"

// V4Report is the body of the reference's report form. Every field is a
// string as the reference sends it, but agree (0 or 1) and
// ncsei_subject_representation (true or false).
type V4Report struct {
	Act                        string              `json:"act"`
	Email                      string              `json:"email"`
	Email2                     string              `json:"email2"`
	Name                       string              `json:"name"`
	URLs                       string              `json:"urls"`
	OwnerNotification          models.Notification `json:"owner_notification"`
	HostNotification           models.Notification `json:"host_notification"`
	NcmecNotification          models.Notification `json:"ncmec_notification"`
	Justification              string              `json:"justification"`
	OriginalWork               string              `json:"original_work"`
	AgentName                  string              `json:"agent_name"`
	Address1                   string              `json:"address1"`
	City                       string              `json:"city"`
	State                      string              `json:"state"`
	Country                    string              `json:"country"`
	Tele                       string              `json:"tele"`
	Company                    string              `json:"company"`
	Title                      string              `json:"title"`
	Comments                   string              `json:"comments"`
	ReportedCountry            string              `json:"reported_country"`
	ReportedUserAgent          string              `json:"reported_user_agent"`
	Signature                  string              `json:"signature"`
	Agree                      *int64              `json:"agree"`
	TrademarkNumber            string              `json:"trademark_number"`
	TrademarkOffice            string              `json:"trademark_office"`
	TrademarkSymbol            string              `json:"trademark_symbol"`
	SourceIPs                  string              `json:"source_ips"`
	DestinationIPs             string              `json:"destination_ips"`
	PortsProtocols             string              `json:"ports_protocols"`
	NcseiSubjectRepresentation *bool               `json:"ncsei_subject_representation"`
	RegWhoRequest              json.RawMessage     `json:"reg_who_request"`
	// present names the fields the body gave (an empty string counts).
	present map[string]bool
}

// v4Kinds is what each field of the form must be, for naming a wrongly
// typed field.
var v4Kinds = map[string]string{"agree": "0 or 1", "ncsei_subject_representation": "true or false", "reg_who_request": "any JSON value"}

// DecodeV4Report reads the form's JSON body field by field, so that every
// unknown and every wrongly typed field is named, all together.
func DecodeV4Report(body []byte) (V4Report, []models.FieldError) {
	var v V4Report
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return v, []models.FieldError{{Field: "body", Message: "not a JSON object"}}
	}
	targets := v.targets()
	v.present = map[string]bool{}
	var errs []models.FieldError
	for k, raw := range top {
		t, ok := targets[k]
		if !ok {
			errs = append(errs, models.FieldError{Field: k, Message: "unknown field"})
			continue
		}
		if string(raw) == "null" {
			continue
		}
		v.present[k] = true
		if err := json.Unmarshal(raw, t); err != nil {
			want := v4Kinds[k]
			if want == "" {
				want = "a string"
			}
			errs = append(errs, models.FieldError{Field: k, Message: "must be " + want})
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return v, errs
}

// targets maps each JSON field name to the field it decodes into.
func (v *V4Report) targets() map[string]any {
	return map[string]any{
		"act": &v.Act, "email": &v.Email, "email2": &v.Email2, "name": &v.Name, "urls": &v.URLs,
		"owner_notification": &v.OwnerNotification, "host_notification": &v.HostNotification,
		"ncmec_notification": &v.NcmecNotification, "justification": &v.Justification,
		"original_work": &v.OriginalWork, "agent_name": &v.AgentName, "address1": &v.Address1,
		"city": &v.City, "state": &v.State, "country": &v.Country, "tele": &v.Tele, "company": &v.Company,
		"title": &v.Title, "comments": &v.Comments, "reported_country": &v.ReportedCountry,
		"reported_user_agent": &v.ReportedUserAgent, "signature": &v.Signature, "agree": &v.Agree,
		"trademark_number": &v.TrademarkNumber, "trademark_office": &v.TrademarkOffice,
		"trademark_symbol": &v.TrademarkSymbol, "source_ips": &v.SourceIPs, "destination_ips": &v.DestinationIPs,
		"ports_protocols": &v.PortsProtocols, "ncsei_subject_representation": &v.NcseiSubjectRepresentation,
		"reg_who_request": &v.RegWhoRequest,
	}
}

// v4Act is one report type of the form: the category it files, the
// fields it requires beyond the shared ones, the optional ones, and the
// notification choices it allows per recipient (nil: the field is not
// the type's).
type v4Act struct {
	category           models.Category
	required, optional []string
	owner, host, ncmec []models.Notification
}

var (
	sendOnly = []models.Notification{models.NotifySend}
	sendAnon = []models.Notification{models.NotifySend, models.NotifySendAnon}
	anyOwner = []models.Notification{models.NotifySend, models.NotifySendAnon, models.NotifyNone}
	noneOnly = []models.Notification{models.NotifyNone}
)

// V4Acts are the report types, as the reference's form has them. Where
// abusedesk asks more than the reference it says so (README): a CSAM
// report never goes to the operator (owner_notification none only), and
// an ncsei report is a TAKE IT DOWN Act removal request, which needs the
// signature and, with agree 1, the statement of good-faith belief that
// the depiction is not consensual.
var V4Acts = map[string]v4Act{
	"abuse_dmca": {models.CategoryCopyright, []string{"address1", "agent_name", "agree", "city", "country", "state", "original_work", "signature"},
		nil, sendOnly, sendOnly, nil},
	"abuse_trademark": {models.CategoryTrademark, []string{"justification", "trademark_number", "trademark_office", "trademark_symbol"},
		nil, sendOnly, sendOnly, nil},
	"abuse_general": {models.CategoryOther, []string{"justification"}, []string{"source_ips", "destination_ips", "ports_protocols"},
		sendAnon, sendAnon, nil},
	"abuse_phishing":        {models.CategoryPhishing, []string{"justification"}, []string{"original_work"}, sendAnon, sendAnon, nil},
	"abuse_children":        {models.CategoryCSAM, []string{"justification"}, []string{"country"}, noneOnly, sendAnon, sendAnon},
	"abuse_threat":          {models.CategoryViolentThreat, []string{"justification"}, nil, sendAnon, sendAnon, nil},
	"abuse_registrar_whois": {models.CategoryRegistrarWhois, nil, []string{"reg_who_request"}, anyOwner, nil, nil},
	"abuse_ncsei": {models.CategoryNCSEI, []string{"ncsei_subject_representation", "signature", "agree"}, []string{"country"},
		anyOwner, sendAnon, nil},
}

// v4Shared are the fields of every report type.
var v4Shared = map[string]bool{"act": true, "email": true, "email2": true, "name": true, "urls": true,
	"owner_notification": true, "comments": true, "company": true, "tele": true, "title": true,
	"reported_country": true, "reported_user_agent": true}

// v4Limits are the reference's length limits, in characters.
var v4Limits = map[string]int{"name": 255, "comments": 2000, "company": 100, "tele": 20, "title": 255,
	"reported_user_agent": 255, "address1": 100, "agent_name": 60, "city": 255, "country": 255, "state": 255,
	"original_work": 255, "signature": 255, "justification": 5000, "trademark_number": 1000,
	"trademark_office": 1000, "trademark_symbol": 1000, "ports_protocols": 2000, "email": 255}

// V4MaxURLs is the most URLs one form report names.
const V4MaxURLs = 250

// actNames lists the report types in order, for messages.
func actNames() string {
	var s []string
	for k := range V4Acts {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// value is the string value of a field by its JSON name.
func (v *V4Report) value(field string) string {
	switch t := v.targets()[field].(type) {
	case *string:
		return *t
	case *models.Notification:
		return string(*t)
	case **int64:
		if *t != nil {
			return fmt.Sprint(**t)
		}
	case **bool:
		if *t != nil {
			return fmt.Sprint(**t)
		}
	case *json.RawMessage:
		return string(*t)
	}
	return ""
}

// ParseV4Report decodes and checks a form body filed under the path's
// reportType: the report, and every problem, a field's type problem
// standing for the rest of that field's.
func ParseV4Report(body []byte, reportType string) (models.ReportRequest, []models.FieldError) {
	v, typed := DecodeV4Report(body)
	r, more := v.Request(reportType)
	errs := typed
	for _, p := range more {
		if !namedField(typed, p.Field) {
			errs = append(errs, p)
		}
	}
	sortErrors(errs)
	return r, errs
}
