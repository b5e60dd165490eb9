package ldap

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// UseFastSearch lets Search read with the fast path (ber.go, fastentry.go)
// on a directory that is not Active Directory. The caller promises that fn
// issues no other LDAP operation on this connection while a search runs:
// the fast path holds the socket until the search ends. The reconciler's
// bulk reads keep that promise.
func (c *Conn) UseFastSearch() { c.fast = true }

// useFastSearch selects the fast read path (ber.go, fastentry.go) for paged
// searches on plain and ldaps connections. USERSYNC_LDAP_DECODER=go-ldap
// turns it off, to compare the two or to rule the fast path out.
var useFastSearch = os.Getenv("USERSYNC_LDAP_DECODER") != "go-ldap"

// fastMessageIDBase keeps the fast search's message ids far from go-ldap's
// own counter on the same connection.
const fastMessageIDBase = 1 << 30

// maxMessageSize bounds one LDAP message, so that a corrupt length cannot
// make the reader allocate gigabytes.
const maxMessageSize = 64 << 20

// fastSearch is Search over the borrowed socket (handoff.go). It keeps
// Search's contract: nil only when the server ended the last page with
// success; any read error, malformed message, server error, unexpected
// message or cancelled context is an error, and the read is incomplete.
// After any failure the connection is closed, since its state is unknown.
func (c *Conn) fastSearch(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error {
	if c.broken != nil {
		return classifySearch(q.BaseDN, ldapv3.NewError(ldapv3.ErrorNetwork, c.broken))
	}
	filter, err := ldapv3.CompileFilter(q.Filter)
	if err != nil {
		return classifySearch(q.BaseDN, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ldap: search %q: %w", q.BaseDN, err)
	}
	if err := c.h.detach(); err != nil {
		c.fail(err)
		return classifySearch(q.BaseDN, ldapv3.NewError(ldapv3.ErrorNetwork, err))
	}
	sock := c.h.Conn
	stop := context.AfterFunc(ctx, func() { _ = sock.SetReadDeadline(time.Unix(1, 0)) })
	r := &msgReader{r: bufio.NewReaderSize(sock, 256<<10)}
	clean := false
	defer func() {
		if stop() && clean {
			_ = sock.SetDeadline(time.Time{})
			leftover, _ := r.r.Peek(r.r.Buffered())
			c.h.reattach(leftover)
			return
		}
		c.fail(errors.New("an earlier search on this connection did not finish"))
	}()
	pageSize := q.PageSize
	if pageSize <= 0 {
		pageSize = 1000
	}
	paging := ldapv3.NewControlPaging(uint32(pageSize))
	dec := newEntryDecoder()
	for {
		if c.msgID < fastMessageIDBase {
			c.msgID = fastMessageIDBase
		}
		c.msgID++
		id := c.msgID
		req := encodeSearch(id, q, filter, paging)
		if err := sock.SetDeadline(time.Now().Add(c.requestTimeout())); err != nil {
			return c.readFailed(ctx, q, err)
		}
		// Checked after the deadline is set: a cancellation from here on
		// moves the deadline into the past and the next read fails.
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("ldap: search %q: %w", q.BaseDN, err)
		}
		if _, err := sock.Write(req); err != nil {
			return c.readFailed(ctx, q, err)
		}
		cookie, err := c.readPage(ctx, q, r, dec, id, fn)
		if err != nil {
			return err
		}
		if len(cookie) == 0 {
			clean = true
			return nil
		}
		paging.SetCookie(cookie)
	}
}

// readPage reads one page's responses up to its SearchResultDone and returns
// the paging cookie ("" at the end, or when the server ignored paging).
func (c *Conn) readPage(ctx context.Context, q directory.Query, r *msgReader, dec *entryDecoder, id int64,
	fn func(*directory.Entry) error) ([]byte, error) {
	for {
		raw, err := r.next()
		if err != nil {
			return nil, c.readFailed(ctx, q, err)
		}
		m, err := parseMessage(raw)
		if err != nil {
			return nil, malformed(q, err)
		}
		if m.id != id {
			if m.id == 0 && m.op == tagExtendedResp {
				res, _ := parseResult(m.body)
				return nil, classifySearch(q.BaseDN, ldapv3.NewError(ldapv3.ErrorNetwork,
					fmt.Errorf("the server announced it is closing the connection: %s", res.diagnostic)))
			}
			return nil, malformed(q, fmt.Errorf("%w: response to message %d while reading %d", errBER, m.id, id))
		}
		switch m.op {
		case tagSearchEntry:
			e, err := dec.decode(m.body)
			if err != nil {
				return nil, malformed(q, err)
			}
			if err := fn(e); err != nil {
				return nil, err
			}
		case tagSearchReference:
			// Continuation references point at other servers; like the
			// go-ldap path, usersync reads only this one.
		case tagSearchDone:
			res, err := parseResult(m.body)
			if err != nil {
				return nil, malformed(q, err)
			}
			if res.code != ldapv3.LDAPResultSuccess {
				return nil, classifySearch(q.BaseDN, ldapv3.NewError(uint16(res.code), errors.New(res.diagnostic)))
			}
			cookie, found, err := pagingCookie(m.controls)
			if err != nil {
				return nil, malformed(q, err)
			}
			if !found {
				// The server ignored the paging control and returned
				// everything in one result with a success code.
				return nil, nil
			}
			return append([]byte(nil), cookie...), nil
		default:
			return nil, malformed(q, fmt.Errorf("%w: unexpected protocol operation 0x%02x in a search", errBER, m.op))
		}
	}
}

// fail marks the connection unusable and closes it, which also ends the
// parked go-ldap reader: later operations fail at once instead of hanging.
func (c *Conn) fail(cause error) {
	if c.broken == nil {
		c.broken = cause
	}
	_ = c.h.Close()
}

// readFailed turns a socket error into Search's error: the context's when it
// was cancelled, otherwise a lost connection. Either way the read is
// incomplete.
func (c *Conn) readFailed(ctx context.Context, q directory.Query, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("ldap: search %q: %w", q.BaseDN, cerr)
	}
	if isTimeout(err) {
		// A stalled server is not a lost connection: say how long it was
		// silent and which setting bounds that.
		return &Problem{Kind: KindUnreachable, Field: "timeoutSeconds", Err: err, Msg: fmt.Sprintf(
			"the server sent nothing for %s while searching %q (timeoutSeconds); the read is incomplete", c.requestTimeout(), q.BaseDN)}
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return classifySearch(q.BaseDN, ldapv3.NewError(ldapv3.ErrorNetwork, err))
}

func malformed(q directory.Query, err error) error {
	return &Problem{Kind: KindDirectory, Err: err, Msg: fmt.Sprintf("search under %q failed: the server sent a malformed response (%v); the read is incomplete", q.BaseDN, err)}
}

// encodeSearch builds a SearchRequest with the paging control. Encoding is
// once per page, so go-asn1-ber's allocations do not matter here.
func encodeSearch(id int64, q directory.Query, filter *ber.Packet, paging *ldapv3.ControlPaging) []byte {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Request")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "MessageID"))
	r := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldapv3.ApplicationSearchRequest, nil, "Search Request")
	r.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, q.BaseDN, "Base DN"))
	r.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, uint64(ldapv3.ScopeWholeSubtree), "Scope"))
	r.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, uint64(ldapv3.NeverDerefAliases), "Deref Aliases"))
	r.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 0, "Size Limit"))
	r.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 0, "Time Limit"))
	r.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, false, "Types Only"))
	r.AppendChild(filter)
	attrs := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attributes")
	for _, a := range q.Attributes {
		attrs.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, a, "Attribute"))
	}
	r.AppendChild(attrs)
	p.AppendChild(r)
	ctls := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
	ctls.AppendChild(paging.Encode())
	p.AppendChild(ctls)
	return p.Bytes()
}

// msgReader frames LDAP messages off the socket into one reused buffer.
type msgReader struct {
	r   *bufio.Reader
	buf []byte
}

// next returns the contents of the next LDAPMessage SEQUENCE, valid until
// the following call.
func (m *msgReader) next() ([]byte, error) {
	var hdr [2 + maxLengthOctets]byte
	if _, err := io.ReadFull(m.r, hdr[:2]); err != nil {
		return nil, err
	}
	if hdr[0] != tagSequence {
		return nil, fmt.Errorf("%w: message starts with 0x%02x, not a SEQUENCE", errBER, hdr[0])
	}
	k := 0
	if hdr[1] >= 0x80 {
		k = int(hdr[1] & 0x7f)
		if k == 0 || k > maxLengthOctets {
			return nil, fmt.Errorf("%w: message length form 0x%02x", errBER, hdr[1])
		}
		if _, err := io.ReadFull(m.r, hdr[2:2+k]); err != nil {
			return nil, eofMidMessage(err)
		}
	}
	n, _, err := length(hdr[1 : 2+k])
	if err != nil {
		return nil, err
	}
	if n > maxMessageSize {
		return nil, fmt.Errorf("%w: message of %d bytes exceeds the %d limit", errBER, n, maxMessageSize)
	}
	if cap(m.buf) < n {
		m.buf = make([]byte, n, max(n, 2*cap(m.buf)))
	}
	m.buf = m.buf[:n]
	if _, err := io.ReadFull(m.r, m.buf); err != nil {
		return nil, eofMidMessage(err)
	}
	return m.buf, nil
}

func eofMidMessage(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// requestTimeout is how long one page may take to arrive.
func (c *Conn) requestTimeout() time.Duration {
	if c.timeout > 0 {
		return c.timeout
	}
	return DefaultTimeout
}
