package store

import (
	"context"

	"gorm.io/gorm"
)

type txKey struct{}

// Conn is the handle to run statements on: the transaction carried by ctx, if any, else the
// database itself.
func (db *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.Gorm.WithContext(ctx)
}

// Tx runs fn in a transaction and commits when fn returns nil. A nested call joins the
// transaction already in ctx, so that a whole request (primary and included resources) is one
// unit.
func (db *DB) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}
