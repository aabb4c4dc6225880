package cybertipline

import "encoding/xml"

// IncidentCSAM is the incident type of apparent child sexual abuse material.
const IncidentCSAM = "Child Pornography (possession, manufacture, and distribution)"

// Report is the <report> document of POST /submit: the incident summary,
// the internet details (one web-page incident per reported URL), the
// reporter (the provider's contact), the reported account and additional
// information.
type Report struct {
	XMLName         xml.Name         `xml:"report"`
	IncidentSummary IncidentSummary  `xml:"incidentSummary"`
	InternetDetails []InternetDetail `xml:"internetDetails"`
	Reporter        Reporter         `xml:"reporter"`
	Reported        *PersonReported  `xml:"personOrUserReported,omitempty"`
	AdditionalInfo  string           `xml:"additionalInfo,omitempty"`
}

// IncidentSummary says what happened and when (xs:dateTime, UTC).
type IncidentSummary struct {
	IncidentType     string `xml:"incidentType"`
	IncidentDateTime string `xml:"incidentDateTime"`
}

// InternetDetail is one place the material was found.
type InternetDetail struct {
	WebPage WebPageIncident `xml:"webPageIncident"`
}

// WebPageIncident is material found at a URL.
type WebPageIncident struct {
	URL            string `xml:"url"`
	AdditionalInfo string `xml:"additionalInfo,omitempty"`
}

// Reporter is the reporting provider's contact person.
type Reporter struct {
	ReportingPerson ReportingPerson `xml:"reportingPerson"`
}

// ReportingPerson names the reporter.
type ReportingPerson struct {
	FirstName string `xml:"firstName,omitempty"`
	LastName  string `xml:"lastName,omitempty"`
	Email     string `xml:"email"`
}

// PersonReported is the account the material was found in.
type PersonReported struct {
	ESPIdentifier  string `xml:"espIdentifier,omitempty"`
	ESPService     string `xml:"espService,omitempty"`
	AdditionalInfo string `xml:"additionalInfo,omitempty"`
}

// FileDetails is the <fileDetails> document of POST /fileinfo.
type FileDetails struct {
	XMLName           xml.Name `xml:"fileDetails"`
	ReportID          string   `xml:"reportId"`
	FileID            string   `xml:"fileId"`
	OriginalFileName  string   `xml:"originalFileName,omitempty"`
	PubliclyAvailable bool     `xml:"publiclyAvailable"`
	AdditionalInfo    string   `xml:"additionalInfo,omitempty"`
}
