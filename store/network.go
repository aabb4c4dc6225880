package store

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// NetworkAnswer records that a sender (its authenticated domain) was
// answered "not our network" on a UTC day: a report about IP addresses
// that are not ours is answered once per sender per day, never per row
// or per mail (docs/DESIGN.md step 1).
type NetworkAnswer struct {
	Sender    string    `gorm:"primaryKey"`
	Day       string    `gorm:"primaryKey"` // YYYY-MM-DD, UTC
	CreatedAt time.Time `gorm:"not null"`
}

// TableName keeps the table's name independent of the type's.
func (NetworkAnswer) TableName() string { return "network_answers" }

// IntakeReplyNotOurNetwork is the kind of the intake reply that answers
// rows about addresses that are not ours (mailintake.NetworkReplier).
const IntakeReplyNotOurNetwork = "not_our_network"

// NetworkAnswerDay is the UTC day a "not our network" answer counts for.
func NetworkAnswerDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

// ClaimNetworkAnswer records the day's answer to sender and reports
// whether this call made the record (true: answer now; false: the sender
// was already answered that day). Two concurrent claims make one record.
func ClaimNetworkAnswer(ctx context.Context, db *gorm.DB, sender string, now time.Time) (bool, error) {
	a := NetworkAnswer{Sender: strings.ToLower(sender), Day: NetworkAnswerDay(now), CreatedAt: now.UTC()}
	res := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&a)
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

// ReleaseNetworkAnswer removes the day's record of an answer that could
// not be sent, so that the sender's retry is answered.
func ReleaseNetworkAnswer(ctx context.Context, db *gorm.DB, sender string, now time.Time) error {
	return db.WithContext(ctx).Where("sender = ? AND day = ?", strings.ToLower(sender), NetworkAnswerDay(now)).
		Delete(&NetworkAnswer{}).Error
}

// CountNetworkAnswers counts the day's records (tests, the analyst).
func CountNetworkAnswers(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&NetworkAnswer{}).Where("day = ?", NetworkAnswerDay(now)).Count(&n).Error
	return n, err
}

// originBatch bounds the addresses looked up in one query.
const originBatch = 50

// DomainsWithOrigins finds, for each address of ips (canonical, as
// net/netip writes them), the customer domains that name it among their
// origin IPs, each domain's list compared exactly after parsing.
func DomainsWithOrigins(ctx context.Context, db *gorm.DB, ips []string) (map[string][]models.Domain, error) {
	out := map[string][]models.Domain{}
	for start := 0; start < len(ips); start += originBatch {
		batch := ips[start:min(start+originBatch, len(ips))]
		q := db.WithContext(ctx).Model(&models.Domain{})
		cond := db.WithContext(ctx)
		for i, ip := range batch {
			if i == 0 {
				cond = cond.Where("LOWER(origin_ips) LIKE ?", "%"+ip+"%")
			} else {
				cond = cond.Or("LOWER(origin_ips) LIKE ?", "%"+ip+"%")
			}
		}
		var ds []models.Domain
		if err := q.Where(cond).Order("name").Find(&ds).Error; err != nil {
			return nil, err
		}
		want := map[string]bool{}
		for _, ip := range batch {
			want[ip] = true
		}
		for _, d := range ds {
			for _, o := range strings.Split(d.OriginIPs, ",") {
				a, err := netip.ParseAddr(strings.TrimSpace(o))
				if err != nil {
					continue
				}
				if ip := a.Unmap().String(); want[ip] && !hasDomain(out[ip], d.Name) {
					out[ip] = append(out[ip], d)
				}
			}
		}
	}
	return out, nil
}

func hasDomain(ds []models.Domain, name string) bool {
	for _, d := range ds {
		if d.Name == name {
			return true
		}
	}
	return false
}

// OwnNetworks lists the networks of the customer records whose provider
// is the provider itself (configuration provider_name): the addresses
// abusedesk answers for even when no customer names them as an origin.
// An empty name has none.
func OwnNetworks(ctx context.Context, db *gorm.DB, providerName string) ([]netip.Prefix, error) {
	if strings.TrimSpace(providerName) == "" {
		return nil, nil
	}
	var ns []models.Network
	if err := db.WithContext(ctx).Where("LOWER(provider) = ?", strings.ToLower(strings.TrimSpace(providerName))).
		Find(&ns).Error; err != nil {
		return nil, err
	}
	var out []netip.Prefix
	for _, n := range ns {
		if p, err := netip.ParsePrefix(n.CIDR); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out, nil
}
