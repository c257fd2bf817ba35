package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Backup writes a consistent copy of the database to destPath, which must not
// exist yet, while the store stays in use: VACUUM INTO on a connection of its
// own, which reads a snapshot and takes no write lock. The copy is compacted.
func (s *Store) Backup(ctx context.Context, destPath string) error {
	db, err := sql.Open(driverName, dsn(s.path, connOther))
	if err != nil {
		return fmt.Errorf("back up to %s: %w", destPath, err)
	}
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, destPath)
	if err = errors.Join(err, db.Close()); err != nil {
		return fmt.Errorf("back up to %s: %w", destPath, err)
	}
	return nil
}
