package reconcile

import "context"

// changesIndex is the index a batch of changes is planned against: the
// whole connection's, or, for Changes.Named, only the stored users the
// changes name with the connection's active count, so that the cost of a
// one-user batch does not grow with the connection.
func (e *Engine) changesIndex(ctx context.Context, j Job, ch Changes) (*index, error) {
	if !ch.Named {
		return loadIndex(ctx, e.Store, j.Conn.Name)
	}
	exts := make([]string, 0, len(ch.Upserts)+len(ch.Deletes))
	for _, en := range ch.Upserts {
		if ext := en.Get(j.LinkingKey); ext != "" {
			exts = append(exts, ext)
		}
	}
	exts = append(exts, ch.Deletes...)
	entries, active, err := e.Store.IndexEntries(ctx, j.Conn.Name, exts)
	if err != nil {
		return nil, err
	}
	ix := &index{ids: newExtTable()}
	for _, en := range entries {
		ix.load(en)
	}
	ix.active = active
	return ix, nil
}
