package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
	"github.com/paulmach/orb"
)

// importBatch is how many records one import transaction holds.
const importBatch = 500

// ImportResult is what `caravan records import` reports.
type ImportResult struct {
	Stored   int            `json:"stored"`
	Skipped  int            `json:"skipped"` // already had, or older than what is stored
	Rejected []LineRejected `json:"rejected"`
}

// LineRejected is one refused line of an import file.
type LineRejected struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Import validates and ingests signed records, one JSON object per line,
// exactly like records from a peer. Stored records are queued for publishing,
// so records carried by USB stick spread from here.
func (n *Node) Import(ctx context.Context, r io.Reader) (ImportResult, error) {
	res := ImportResult{Rejected: []LineRejected{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), domain.MaxWireSize+1)
	var batch []domain.Record
	var lines []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		outs, err := n.store.Ingest(ctx, batch, time.Now())
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		var kinds []domain.Kind
		for i, o := range outs {
			switch o.Status {
			case storage.Stored:
				res.Stored++
				kinds = append(kinds, batch[i].Kind)
				if err := n.store.Enqueue(ctx, batch[i]); err != nil {
					return fmt.Errorf("queue imported record for publishing: %w", err)
				}
			case storage.Rejected:
				res.Rejected = append(res.Rejected, LineRejected{Line: lines[i], Reason: o.Err.Error()})
			default:
				res.Skipped++
			}
		}
		n.bus.recordsChanged(kinds)
		n.nudge()
		batch, lines = batch[:0], lines[:0]
		return nil
	}
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		rec, err := domain.DecodeRecord(sc.Bytes())
		if err != nil {
			res.Rejected = append(res.Rejected, LineRejected{Line: line, Reason: err.Error()})
			continue
		}
		batch, lines = append(batch, rec), append(lines, line)
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line %d is longer than %d bytes; a record is at most that", line+1, domain.MaxWireSize)
		}
		return res, fmt.Errorf("read import file: %w", err)
	}
	err := flush()
	slices.SortFunc(res.Rejected, func(a, b LineRejected) int { return a.Line - b.Line })
	return res, err
}

// Export writes every current signed record, or those in a bound
// ([minLon, minLat, maxLon, maxLat]), as JSON lines exactly as signed.
func (n *Node) Export(ctx context.Context, w io.Writer, bound *[4]float64) (int, error) {
	bw := bufio.NewWriter(w)
	count := 0
	err := n.store.Export(ctx, toBound(bound), func(r domain.Record) error {
		b, err := r.Encode()
		if err != nil {
			return err
		}
		count++
		bw.Write(b)
		return bw.WriteByte('\n')
	})
	if err != nil {
		return count, fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return count, fmt.Errorf("export: %w", err)
	}
	return count, nil
}

func toBound(b *[4]float64) *orb.Bound {
	if b == nil {
		return nil
	}
	return &orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}
}
