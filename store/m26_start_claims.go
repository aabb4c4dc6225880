package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateStartClaims adds the start claim of cases: every case stored
// before it was started by the process that stored it (or by the
// reconciler), so it counts as claimed. The partial index serves the
// workers' claim query.
func migrateStartClaims(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&models.Case{}, "StartClaimedAt") {
		if err := m.AddColumn(&models.Case{}, "StartClaimedAt"); err != nil {
			return err
		}
	}
	if err := tx.Exec("UPDATE cases SET start_claimed_at = created_at WHERE start_claimed_at IS NULL").Error; err != nil {
		return err
	}
	return tx.Exec("CREATE INDEX IF NOT EXISTS idx_cases_start_unclaimed ON cases (created_at) " +
		"WHERE start_claimed_at IS NULL AND NOT workflow_started").Error
}

// ClaimUnstarted claims, for the process that will start their workflows,
// up to n cases stored unclaimed and not started, oldest first: they are
// marked claimed at now and returned. Two processes claiming at once get
// different cases (on PostgreSQL rows another claim holds are skipped;
// SQLite has one writer). A case claimed by a process that dies before
// the start stays unstarted, and the reconciler starts it.
func ClaimUnstarted(ctx context.Context, db *gorm.DB, now time.Time, n int) ([]models.Case, error) {
	lock := ""
	if db.Dialector.Name() == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var cs []models.Case
	err := db.WithContext(ctx).Raw("UPDATE cases SET start_claimed_at = ? WHERE id IN (SELECT id FROM cases "+
		"WHERE start_claimed_at IS NULL AND NOT workflow_started ORDER BY created_at LIMIT ?"+lock+") RETURNING *",
		now, n).Scan(&cs).Error
	return cs, err
}
