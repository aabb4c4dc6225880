package store

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/net/idna"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// CustomerDoc is the customer-records document of POST /v1/admin/customers
// and `abusedesk import FILE` (JSON or YAML).
type CustomerDoc struct {
	Accounts []AccountDoc `json:"accounts" yaml:"accounts"`
	Networks []NetworkDoc `json:"networks" yaml:"networks"`
}

// AccountDoc is one account of a CustomerDoc.
type AccountDoc struct {
	ID            string      `json:"id" yaml:"id"`
	Name          string      `json:"name" yaml:"name"`
	OperatorEmail string      `json:"operator_email" yaml:"operator_email"`
	Domains       []DomainDoc `json:"domains" yaml:"domains"`
}

// DomainDoc is one domain of an account.
type DomainDoc struct {
	Name            string      `json:"name" yaml:"name"`
	Services        []string    `json:"services" yaml:"services"`
	OriginIPs       []string    `json:"origin_ips" yaml:"origin_ips"`
	Hosted          []HostedDoc `json:"hosted" yaml:"hosted"`
	RegistrantEmail string      `json:"registrant_email" yaml:"registrant_email"`
}

// HostedDoc is one hosted object of a domain.
type HostedDoc struct {
	URLPrefix string `json:"url_prefix" yaml:"url_prefix"`
	Product   string `json:"product" yaml:"product"`
	ObjectID  string `json:"object_id" yaml:"object_id"`
	// ContentHash is the hex SHA-256 of the object's content (optional):
	// objects with the same hash are identical copies (ncsei).
	ContentHash string `json:"content_hash,omitempty" yaml:"content_hash,omitempty"`
}

// NetworkDoc maps a CIDR to a hosting provider.
type NetworkDoc struct {
	CIDR       string `json:"cidr" yaml:"cidr"`
	Provider   string `json:"provider" yaml:"provider"`
	AbuseEmail string `json:"abuse_email" yaml:"abuse_email"`
}

// LoadResult counts what a load wrote.
type LoadResult struct {
	Accounts int `json:"accounts"`
	Domains  int `json:"domains"`
	Hosted   int `json:"hosted"`
	Networks int `json:"networks"`
}

// NormalizeHost lower-cases a host name and turns an IDN into punycode.
func NormalizeHost(h string) (string, error) {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if h == "" {
		return "", fmt.Errorf("empty host")
	}
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
		return ip.String(), nil
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", fmt.Errorf("host %q is not a valid domain name: %v", h, err)
	}
	return a, nil
}

// ValidateCustomers lists every problem of a document, by field.
func ValidateCustomers(doc *CustomerDoc) []models.FieldError {
	var errs []models.FieldError
	add := func(f, format string, args ...any) {
		errs = append(errs, models.FieldError{Field: f, Message: fmt.Sprintf(format, args...)})
	}
	for i, a := range doc.Accounts {
		p := fmt.Sprintf("accounts[%d]", i)
		if a.ID == "" {
			add(p+".id", "required")
		}
		if a.OperatorEmail != "" && !strings.Contains(a.OperatorEmail, "@") {
			add(p+".operator_email", "not an email address")
		}
		for j, d := range a.Domains {
			dp := fmt.Sprintf("%s.domains[%d]", p, j)
			name, err := NormalizeHost(d.Name)
			if err != nil {
				add(dp+".name", "%v", err)
			}
			doc.Accounts[i].Domains[j].Name = name
			for k, s := range d.Services {
				if !validService(s) {
					add(fmt.Sprintf("%s.services[%d]", dp, k), "unknown service %q (cdn, hosting:<pages|workers|kv|stream|images>, registrar)", s)
				}
			}
			for k, ip := range d.OriginIPs {
				if _, err := netip.ParseAddr(ip); err != nil {
					add(fmt.Sprintf("%s.origin_ips[%d]", dp, k), "%q is not an IP address", ip)
				}
			}
			for k, h := range d.Hosted {
				hp := fmt.Sprintf("%s.hosted[%d]", dp, k)
				if h.ObjectID == "" {
					add(hp+".object_id", "required")
				}
				if !strings.HasPrefix(h.URLPrefix, "https://") && !strings.HasPrefix(h.URLPrefix, "http://") {
					add(hp+".url_prefix", "must be an http(s) URL prefix")
				}
				if !validService("hosting:" + h.Product) {
					add(hp+".product", "unknown product %q", h.Product)
				}
				doc.Accounts[i].Domains[j].Hosted[k].ContentHash = strings.ToLower(h.ContentHash)
				if !validContentHash(h.ContentHash) {
					add(hp+".content_hash", "must be a hex SHA-256 (64 hex digits)")
				}
			}
		}
	}
	for i, n := range doc.Networks {
		p := fmt.Sprintf("networks[%d]", i)
		if _, err := netip.ParsePrefix(n.CIDR); err != nil {
			add(p+".cidr", "%q is not a CIDR prefix", n.CIDR)
		}
		if n.Provider == "" {
			add(p+".provider", "required")
		}
	}
	return errs
}

func validService(s string) bool {
	if s == "cdn" || s == "registrar" {
		return true
	}
	if p, ok := strings.CutPrefix(s, "hosting:"); ok {
		for _, h := range models.HostingProducts {
			if h == p {
				return true
			}
		}
	}
	return false
}

// LoadCustomers upserts a validated document by id in one transaction.
// afterWrite, when not nil, runs in the same transaction (the audit log).
func LoadCustomers(db *gorm.DB, doc *CustomerDoc, afterWrite func(tx *gorm.DB, r LoadResult) error) (LoadResult, error) {
	var r LoadResult
	now := time.Now().UTC()
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, a := range doc.Accounts {
			acct := models.Account{ID: a.ID, Name: a.Name, OperatorEmail: a.OperatorEmail, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}},
				DoUpdates: clause.AssignmentColumns([]string{"name", "operator_email", "updated_at"})}).Create(&acct).Error; err != nil {
				return err
			}
			r.Accounts++
			for _, d := range a.Domains {
				row := models.Domain{Name: d.Name, AccountID: a.ID, Services: strings.Join(d.Services, ","),
					OriginIPs: strings.Join(d.OriginIPs, ","), RegistrantEmail: d.RegistrantEmail, UpdatedAt: now}
				if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}},
					DoUpdates: clause.AssignmentColumns([]string{"account_id", "services", "origin_ips", "registrant_email", "updated_at"})}).Create(&row).Error; err != nil {
					return err
				}
				r.Domains++
				for _, h := range d.Hosted {
					obj := models.HostedObject{ObjectID: h.ObjectID, Domain: d.Name, AccountID: a.ID, URLPrefix: h.URLPrefix, Product: h.Product, ContentHash: h.ContentHash, UpdatedAt: now}
					if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "object_id"}},
						DoUpdates: clause.AssignmentColumns([]string{"domain", "account_id", "url_prefix", "product", "content_hash", "updated_at"})}).Create(&obj).Error; err != nil {
						return err
					}
					r.Hosted++
				}
			}
		}
		for _, n := range doc.Networks {
			p := netip.MustParsePrefix(n.CIDR).Masked()
			row := models.Network{CIDR: p.String(), Provider: n.Provider, AbuseEmail: n.AbuseEmail, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "cidr"}},
				DoUpdates: clause.AssignmentColumns([]string{"provider", "abuse_email", "updated_at"})}).Create(&row).Error; err != nil {
				return err
			}
			r.Networks++
		}
		if afterWrite != nil {
			return afterWrite(tx, r)
		}
		return nil
	})
	return r, err
}
