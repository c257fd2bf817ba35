package p2p

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
)

// Streams carry frames: uvarint(1 + len(payload)), a type byte, the payload.

// errFrameTooLarge is returned for a frame over the reader's limit.
var errFrameTooLarge = errors.New("frame too large")

// wire reads and writes frames on a stream, with a size limit on reads.
type wire struct {
	s   network.Stream
	r   *bufio.Reader
	w   *bufio.Writer
	max int
}

func newWire(s network.Stream, maxFrame int) *wire {
	return &wire{s: s, r: bufio.NewReader(s), w: bufio.NewWriter(s), max: maxFrame}
}

// deadline sets the deadline of the next exchange.
func (c *wire) deadline(d time.Duration) { _ = c.s.SetDeadline(time.Now().Add(d)) }

// send buffers a frame; flush writes it out.
func (c *wire) send(typ byte, payload []byte) error {
	if len(payload)+1 > c.max {
		return fmt.Errorf("send frame %q: %d bytes: %w", typ, len(payload)+1, errFrameTooLarge)
	}
	var hdr [binary.MaxVarintLen64 + 1]byte
	n := binary.PutUvarint(hdr[:], uint64(len(payload)+1))
	hdr[n] = typ
	if _, err := c.w.Write(hdr[:n+1]); err != nil {
		return fmt.Errorf("send frame %q: %w", typ, err)
	}
	if _, err := c.w.Write(payload); err != nil {
		return fmt.Errorf("send frame %q: %w", typ, err)
	}
	return nil
}

func (c *wire) flush() error {
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// arriving reports, without waiting, whether the start of another frame has
// already been received. It clears the read deadline, which the caller sets
// again before the next exchange. (A deadline already past makes a stream's
// read return at once, with what it holds or with a timeout that leaves the
// stream usable.)
func (c *wire) arriving() bool {
	if c.r.Buffered() > 0 {
		return true
	}
	if err := c.s.SetReadDeadline(time.Now()); err != nil {
		return false
	}
	_, err := c.r.Peek(1)
	_ = c.s.SetReadDeadline(time.Time{})
	return err == nil
}

// sendNow sends one frame and flushes.
func (c *wire) sendNow(typ byte, payload []byte) error {
	if err := c.send(typ, payload); err != nil {
		return err
	}
	return c.flush()
}

// recv reads one frame.
func (c *wire) recv() (byte, []byte, error) {
	return readFrame(c.r, c.max)
}

func readFrame(r *bufio.Reader, maxFrame int) (byte, []byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, fmt.Errorf("read frame: %w", err)
	}
	if n == 0 {
		return 0, nil, errors.New("read frame: empty frame")
	}
	if n > uint64(maxFrame) {
		return 0, nil, fmt.Errorf("read frame: %d bytes, limit %d: %w", n, maxFrame, errFrameTooLarge)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, fmt.Errorf("read frame: %w", err)
	}
	return buf[0], buf[1:], nil
}
