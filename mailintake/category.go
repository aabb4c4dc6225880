package mailintake

import (
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// subjectKeywords map words of a plain mail's subject (lower case) onto
// categories, in order: the first match decides. Only words that name the
// abuse are listed; "abuse" or "report" alone say nothing.
var subjectKeywords = []struct {
	words []string
	cat   models.Category
}{
	{[]string{"phish"}, models.CategoryPhishing},
	{[]string{"malware", "virus", "trojan", "webshell", "ransomware", "safe browsing"}, models.CategoryMalware},
	{[]string{"child abuse", "csam", "child sexual"}, models.CategoryCSAM},
	{[]string{"copyright", "dmca", "infringement notice", "claimed infringement", "piracy", "unauthorized use"}, models.CategoryCopyright},
	{[]string{"trademark", "counterfeit"}, models.CategoryTrademark},
	{[]string{"fraud", "scam", "survey scam"}, models.CategoryFraud},
}

// chooseCategory completes the category of a report whose format named
// none or "other": the address it was sent to, then the words of its
// subject; and records how the category was chosen.
func chooseCategory(p *Parsed, rcpt string, cfg Config) {
	r := &p.Report
	if r.Category != models.CategoryOther && r.Category != "" {
		return
	}
	// The address a report was sent to refines a format's "other"; an
	// explicit category in a structured report is left as it is.
	if cat, ok := cfg.CategoryFor(rcpt); ok {
		r.Category, p.CategoryBy = cat, "recipient: "+rcpt
		return
	}
	if cat, word := subjectCategory(p.Subject); cat != "" && len(p.Problems) == 0 {
		r.Category, p.CategoryBy = cat, "subject: "+word
		return
	}
	if r.Category == models.CategoryOther && p.CategoryBy != "" {
		return // the format said "other" (an ARF abuse report, an X-ARF type not mapped)
	}
	if r.Category == "" && len(p.Problems) > 0 {
		return // refused: the problems say why
	}
	r.Category, p.CategoryBy = models.CategoryOther, "default: nothing in the report names a category"
}

// subjectCategory returns the category the subject's words name, and the
// word, or "".
func subjectCategory(subject string) (models.Category, string) {
	s := strings.ToLower(subject)
	for _, k := range subjectKeywords {
		for _, w := range k.words {
			if strings.Contains(s, w) {
				return k.cat, w
			}
		}
	}
	return "", ""
}
