package activities

import (
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// copyrightComplaint is what the notices say of a copyright complaint
// that lacks some 17 U.S.C. 512(c)(3) elements: it is forwarded as a
// complaint, never with the statements the complainant did not make.
type copyrightComplaint struct {
	Work string
	// Missing describes each element not provided.
	Missing []string
	// CompleteURL is where the complainant completes it (the receipt).
	CompleteURL string
}

// copyrightElementText names the elements a complaint may lack, by the
// report's field names (intake.CopyrightMissing).
var copyrightElementText = map[string]string{
	"good_faith":             "a statement of good-faith belief that the use is not authorised by the owner, its agent or the law (512(c)(3)(A)(v))",
	"accurate_under_penalty": "a statement that the notice is accurate and, under penalty of perjury, that the complainant is authorised to act for the owner (512(c)(3)(A)(vi))",
	"signature":              "a physical or electronic signature of a person authorised to act for the owner (512(c)(3)(A)(i))",
}

// copyrightData sets what the templates say of a copyright case: the
// notice's elements when it is complete (as before incomplete complaints
// existed), the complaint and what it lacks when it is not.
func (a *Activities) copyrightData(data *noticeData, c models.Case) {
	if c.Category != models.CategoryCopyright {
		return
	}
	if !c.CopyrightIncomplete {
		data.Copyright = &models.CopyrightClaim{Work: c.CopyrightWork, Signature: c.CopyrightSig, GoodFaith: true, AccurateUnderPenalty: true}
		return
	}
	cc := &copyrightComplaint{Work: c.CopyrightWork, CompleteURL: strings.TrimRight(a.PublicURL, "/") + "/v1/reports/" + c.ID + "/complete"}
	for _, m := range strings.Split(c.CopyrightMissing, ",") {
		if m = strings.TrimSpace(m); m == "" {
			continue
		}
		if t, ok := copyrightElementText[m]; ok {
			m = t
		}
		cc.Missing = append(cc.Missing, m)
	}
	data.Complaint = cc
}
