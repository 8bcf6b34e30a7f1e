package corpus

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// A stored body (bucket "body") is the source's text with its passage and
// sentence spans. Schema 1 stored it as JSON; schema 2 writes this compact
// form, which Store.Get decodes an order of magnitude faster (quoting one
// passage of a source needs its whole body):
//
//	0x02                   the format (JSON always begins with '{')
//	uvarint len, bytes     the text
//	uvarint n, n × 4 varints   passages: Start − the previous Start, End − Start,
//	                       Paragraph, LastParagraph
//	uvarint n, n × 2 varints   sentences: Start − the previous Start, End − Start
//
// Every number is a signed varint, so any span, even one out of order,
// comes back exactly. Both forms are read; new bodies are written compact.
const bodyCompact = 0x02

// encodeBody returns the compact form of a body.
func encodeBody(b body) []byte {
	out := make([]byte, 0, 1+binary.MaxVarintLen64+len(b.Text)+4*2*len(b.Passages)+2*2*len(b.Sentences)+2*binary.MaxVarintLen64)
	out = append(out, bodyCompact)
	out = binary.AppendUvarint(out, uint64(len(b.Text)))
	out = append(out, b.Text...)
	out = binary.AppendUvarint(out, uint64(len(b.Passages)))
	prev := 0
	for _, p := range b.Passages {
		out = binary.AppendVarint(out, int64(p.Start-prev))
		out = binary.AppendVarint(out, int64(p.End-p.Start))
		out = binary.AppendVarint(out, int64(p.Paragraph))
		out = binary.AppendVarint(out, int64(p.LastParagraph))
		prev = p.Start
	}
	out = binary.AppendUvarint(out, uint64(len(b.Sentences)))
	prev = 0
	for _, s := range b.Sentences {
		out = binary.AppendVarint(out, int64(s.Start-prev))
		out = binary.AppendVarint(out, int64(s.End-s.Start))
		prev = s.Start
	}
	return out
}

var errBodyTruncated = errors.New("truncated or malformed")

// decodeBody decodes a stored body in either form. The text is copied: v
// may be memory bbolt owns only for its transaction.
func decodeBody(v []byte) (body, error) {
	var b body
	if len(v) == 0 || v[0] != bodyCompact {
		err := json.Unmarshal(v, &b)
		return b, err
	}
	d := bodyDecoder{v: v[1:]}
	n := d.count(1)
	b.Text = string(d.take(n))
	if n = d.count(4); n > 0 {
		b.Passages = make([]Passage, n)
	}
	prev := 0
	for i := range b.Passages {
		p := &b.Passages[i]
		p.Start = prev + d.int()
		p.End = p.Start + d.int()
		p.Paragraph, p.LastParagraph = d.int(), d.int()
		prev = p.Start
	}
	if n = d.count(2); n > 0 {
		b.Sentences = make([]Span, n)
	}
	prev = 0
	for i := range b.Sentences {
		s := &b.Sentences[i]
		s.Start = prev + d.int()
		s.End = s.Start + d.int()
		prev = s.Start
	}
	if d.err == nil && len(d.v) > 0 {
		d.err = fmt.Errorf("%d bytes after the body", len(d.v))
	}
	if d.err != nil {
		return body{}, fmt.Errorf("compact body: %w", d.err)
	}
	return b, nil
}

// compactBodyOK tells whether v is a whole compact body (salvage tells an
// orphan record's bucket by what it holds).
func compactBodyOK(v []byte) bool {
	_, err := decodeBody(v)
	return err == nil
}

// bodyDecoder reads a compact body; after the first error every read
// returns zero and err keeps that error.
type bodyDecoder struct {
	v   []byte
	err error
}

func (d *bodyDecoder) int() int {
	if d.err != nil {
		return 0
	}
	x, n := binary.Varint(d.v)
	if n <= 0 || int64(int(x)) != x {
		d.err = errBodyTruncated
		return 0
	}
	d.v = d.v[n:]
	return int(x)
}

// count reads a length whose items take at least min bytes each, so that a
// damaged length cannot make the decoder allocate more than the record
// could hold.
func (d *bodyDecoder) count(min int) int {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.v)
	if n <= 0 || x > uint64(len(d.v)-n)/uint64(min) {
		d.err = errBodyTruncated
		return 0
	}
	d.v = d.v[n:]
	return int(x)
}

func (d *bodyDecoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	out := d.v[:n]
	d.v = d.v[n:]
	return out
}
