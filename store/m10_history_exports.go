package store

import (
	"time"

	"gorm.io/gorm"
)

// HistoryExport is the exported history of one closed workflow run: the
// JSON that `temporal workflow show --output json` prints (protojson of
// historypb.History) with the payloads as stored, encrypted by the codec,
// so it replays with the same data converter. The history endpoint serves
// it as is with ?encoded=1 and decodes it otherwise. Histories are exported
// because Temporal deletes a closed run when the namespace's retention ends
// (the exporter is app's; see docs/DESIGN.md).
type HistoryExport struct {
	WorkflowID string `gorm:"primaryKey"`
	// RunID is the exported run ("" when Temporal no longer had the
	// workflow at export time: the exporter was off for longer than the
	// retention). A review's workflow id is reused by the account's next
	// review of the same kind, so a workflow may have several runs here.
	RunID string `gorm:"primaryKey"`
	// CaseID is the case (for a case and its ForwardBatch children), or
	// the termination review's workflow id.
	CaseID string `gorm:"not null;index"`
	// SHA256 is the hex SHA-256 of History, also in the audit log's
	// history_export entry of the run.
	SHA256  string `gorm:"not null"`
	History []byte
	// ExportedAt is when the run was (last found) exported.
	ExportedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable whatever GORM's naming strategy.
func (HistoryExport) TableName() string { return "history_exports" }

// migrateHistoryExports creates the table of exported workflow histories.
// Before version 10 it was created by an AutoMigrate at every start, so on
// such a database it finds the table and changes nothing.
func migrateHistoryExports(tx *gorm.DB) error {
	return tx.AutoMigrate(&HistoryExport{})
}
