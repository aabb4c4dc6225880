package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/internal/cybertipline"
	"github.com/abusedesk/abusedesk/models"
)

// clearinghouseEvidence is the part of a report as received (the intake's
// evidence table, read by name: intake imports this package) a report
// uploads.
type clearinghouseEvidence struct {
	ID        uint
	Source    string
	Format    string
	SHA256    string
	Raw       []byte
	Truncated bool
	CreatedAt time.Time
}

// clearinghouseDocument builds the report document of a case (the incident,
// each reported URL, the provider's contact, the account the material was
// found in) and its files: each report as received, when kept and the
// reporter did not ask to stay anonymous.
func (a *Activities) clearinghouseDocument(ctx context.Context, caseID string) (cybertipline.Report, []clearinghouseFile, error) {
	db := a.DB.WithContext(ctx)
	var cs models.Case
	if err := db.Where("id = ?", caseID).Take(&cs).Error; err != nil {
		return cybertipline.Report{}, nil, fmt.Errorf("case %s: %w", caseID, err)
	}
	var urls []string
	if err := db.Model(&models.CaseURL{}).Where("case_id = ?", caseID).Order("seq").Limit(clearinghouseMaxURLs).Pluck("url", &urls).Error; err != nil {
		return cybertipline.Report{}, nil, err
	}
	doc := cybertipline.Report{
		IncidentSummary: cybertipline.IncidentSummary{IncidentType: cybertipline.IncidentCSAM,
			IncidentDateTime: cs.CreatedAt.UTC().Format(time.RFC3339)},
		Reporter:       cybertipline.Reporter{ReportingPerson: cybertipline.ReportingPerson{Email: a.Clearinghouse.Contact}},
		AdditionalInfo: fmt.Sprintf("Reported to our abuse desk as case %s on %s; access to the hosted content was disabled on receipt.", caseID, cs.CreatedAt.UTC().Format(time.RFC3339)),
	}
	// A reporter who chose to stay anonymous towards the clearinghouse
	// (models.Case.Anonymous) is named neither in the description nor by
	// the report as received, which is then not attached.
	anon := cs.Anonymous(models.RoleClearinghouse)
	if d := strings.TrimSpace(cs.DescriptionSeenBy(models.RoleClearinghouse)); d != "" {
		doc.AdditionalInfo += " The reporter's description: " + clearinghouseClip(d, 2000)
	}
	if anon {
		doc.AdditionalInfo += " The reporter asked to stay anonymous: the report as received, which names them, is not attached."
	}
	for _, u := range urls {
		doc.InternetDetails = append(doc.InternetDetails, cybertipline.InternetDetail{WebPage: cybertipline.WebPageIncident{URL: u}})
	}
	if cs.AccountID != "" {
		doc.Reported = &cybertipline.PersonReported{ESPIdentifier: cs.AccountID, ESPService: string(cs.Service),
			AdditionalInfo: strings.TrimSpace("customer account of the domain " + cs.Domain)}
	}
	var files []clearinghouseFile
	if anon || !db.Migrator().HasTable(EvidenceTable) {
		return doc, files, nil
	}
	var ev []clearinghouseEvidence
	if err := db.Table(EvidenceTable).Select("id", "source", "format", "sha256", "raw", "truncated", "created_at").
		Where("case_id = ? AND raw IS NOT NULL", caseID).Order("id").Find(&ev).Error; err != nil {
		return cybertipline.Report{}, nil, err
	}
	for _, e := range ev {
		info := fmt.Sprintf("The report as received by %s (%s), %s, SHA-256 %s", e.Source, e.Format, e.CreatedAt.UTC().Format(time.RFC3339), e.SHA256)
		if e.Truncated {
			info += " (cut at the intake's size limit)"
		}
		files = append(files, clearinghouseFile{Name: fmt.Sprintf("report-%s-%d.eml", caseID, e.ID), Data: e.Raw, Info: info})
	}
	return doc, files, nil
}

// clearinghouseClip shortens s to at most n runes.
func clearinghouseClip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
