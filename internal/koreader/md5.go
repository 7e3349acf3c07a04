package koreader

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// Partial MD5 sampling, as KOReader's util.partialMD5 (frontend/util.lua)
// does it:
//
//	local step, size = 1024, 1024
//	for i = -1, 10 do
//	    file:seek("set", lshift(step, 2*i))
//	    local sample = file:read(size)
//	    if sample then update(sample) else break end
//	end
//
// lshift is LuaJIT's bit.lshift: 32-bit, with the shift count taken modulo
// 32, so i = -1 shifts 1024 by 30 bits and wraps to 0. The samples are read
// at 0, 1 KiB, 4 KiB, 16 KiB, ... 1 GiB; file:read returns nil (and the loop
// stops) at or past the end of the file, and a shorter string for a sample
// that crosses it.
const (
	sampleStep   = 1024
	sampleSize   = 1024
	sampleRounds = 10
)

// PartialMD5 computes KOReader's partial MD5 of a document of the given size
// (lower-case hex), the id KOReader's statistics store in book.md5.
func PartialMD5(r io.ReaderAt, size int64) (string, error) {
	if size < 0 {
		return "", fmt.Errorf("koreader: negative file size %d", size)
	}
	h := md5.New()
	buf := make([]byte, sampleSize)
	for i := -1; i <= sampleRounds; i++ {
		var off int64
		if i >= 0 {
			off = sampleStep << (2 * i)
		}
		if off >= size {
			break
		}
		n := int(min(sampleSize, size-off))
		got, err := r.ReadAt(buf[:n], off)
		if got < n {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return "", fmt.Errorf("koreader: read sample at %d: %w", off, err)
		}
		h.Write(buf[:n])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// PartialMD5File computes the partial MD5 of the file at path.
func PartialMD5File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	return PartialMD5(f, st.Size())
}
