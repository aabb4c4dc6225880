package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// NoticeDeliveries are what became of a case's notices after they were
// sent (bounced, redirected), in the order they bounced.
func NoticeDeliveries(ctx context.Context, db *gorm.DB, caseID string) ([]models.NoticeDelivery, error) {
	var ds []models.NoticeDelivery
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("bounced_at, notice_id").Find(&ds).Error
	return ds, err
}

// CaseFlags lists a case's flags, oldest first.
func CaseFlags(ctx context.Context, db *gorm.DB, caseID string) ([]models.CaseFlag, error) {
	var flags []models.CaseFlag
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("created_at").Find(&flags).Error
	return flags, err
}

// Blocklist lists every block by object id.
func Blocklist(ctx context.Context, db *gorm.DB) ([]models.Block, error) {
	var bs []models.Block
	err := db.WithContext(ctx).Order("object_id").Find(&bs).Error
	return bs, err
}

// BlocksOfDomains lists the blocks recorded under any of domains.
func BlocksOfDomains(ctx context.Context, db *gorm.DB, domains []string) ([]models.Block, error) {
	var bs []models.Block
	err := db.WithContext(ctx).Where("domain IN ?", domains).Order("object_id").Find(&bs).Error
	return bs, err
}

// Block reads the block of one object.
func Block(ctx context.Context, db *gorm.DB, objectID string) (models.Block, error) {
	var b models.Block
	err := db.WithContext(ctx).First(&b, "object_id = ?", objectID).Error
	return b, err
}

// Ping checks that the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
