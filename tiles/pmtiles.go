package tiles

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// PMTiles v3 constants (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md).
const (
	pmHeaderLen      = 127
	pmRootBudget     = 16384 - pmHeaderLen // header and root directory fit the first 16 KiB
	pmCompressGzip   = 2
	pmTileTypeMVT    = 1
	pmMaxZoomInIDs   = 31
	pmFirstLeafCount = 4096
)

// TileID is the PMTiles v3 id of a tile: the tiles of lower zooms come first,
// then the tile's position along the Hilbert curve of its zoom.
func TileID(t maptile.Tile) uint64 {
	z := uint64(t.Z)
	id := (uint64(1)<<(2*z) - 1) / 3 // 4⁰ + 4¹ + … + 4^(z-1)
	n := uint64(1) << z
	x, y := uint64(t.X), uint64(t.Y)
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		id += s * s * ((3 * rx) ^ ry)
		if ry == 0 { // rotate the quadrant
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return id
}

// ArchiveWriter writes a PMTiles v3 archive of gzip-compressed MVT tiles.
// Tiles may be added in any order; identical tiles are stored once. Tile data
// is spooled to a temporary file and written, in tile id order, by Close.
type ArchiveWriter struct {
	out     *os.File
	spool   *os.File
	spooled uint64
	entries []pmEntry
	byHash  map[uint64][]spoolRef
	minZ    int
	maxZ    int
	bound   orb.Bound
	hasTile bool
}

type pmEntry struct {
	id  uint64
	ref spoolRef
}

type spoolRef struct {
	offset, length uint64
}

// ArchiveMeta is what an archive says of itself: its JSON metadata (TileJSON
// fields such as name, attribution and vector_layers) and the view it opens on.
type ArchiveMeta struct {
	Metadata map[string]any
	Bounds   orb.Bound // empty: the bounds of the tiles written
	Center   orb.Point
	Zoom     int
}

// NewArchiveWriter starts an archive in file path.
func NewArchiveWriter(path string) (*ArchiveWriter, error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	spool, err := os.CreateTemp("", "geodata-pmtiles-*.spool")
	if err != nil {
		out.Close()
		return nil, err
	}
	os.Remove(spool.Name()) // nameless: gone when closed, even after a crash
	return &ArchiveWriter{out: out, spool: spool, byHash: map[uint64][]spoolRef{}, minZ: math.MaxInt}, nil
}

// Add stores a tile's gzip-compressed MVT bytes; each tile once.
func (w *ArchiveWriter) Add(t maptile.Tile, gz []byte) error {
	if len(gz) == 0 {
		return fmt.Errorf("pmtiles: tile %d/%d/%d is empty", t.Z, t.X, t.Y)
	}
	if t.Z > pmMaxZoomInIDs {
		return fmt.Errorf("pmtiles: zoom %d too deep", t.Z)
	}
	ref, err := w.store(gz)
	if err != nil {
		return err
	}
	w.entries = append(w.entries, pmEntry{id: TileID(t), ref: ref})
	w.minZ, w.maxZ = min(w.minZ, int(t.Z)), max(w.maxZ, int(t.Z))
	if b := t.Bound(); w.hasTile {
		w.bound = w.bound.Union(b)
	} else {
		w.bound, w.hasTile = b, true
	}
	return nil
}

// store spools data unless identical bytes are spooled already.
func (w *ArchiveWriter) store(data []byte) (spoolRef, error) {
	h := fnv.New64a()
	h.Write(data)
	sum := h.Sum64()
	for _, ref := range w.byHash[sum] {
		old := make([]byte, ref.length)
		if _, err := w.spool.ReadAt(old, int64(ref.offset)); err != nil {
			return ref, fmt.Errorf("pmtiles: read spool: %w", err)
		}
		if bytes.Equal(old, data) {
			return ref, nil
		}
	}
	ref := spoolRef{offset: w.spooled, length: uint64(len(data))}
	if _, err := w.spool.WriteAt(data, int64(w.spooled)); err != nil {
		return ref, fmt.Errorf("pmtiles: spool: %w", err)
	}
	w.spooled += ref.length
	w.byHash[sum] = append(w.byHash[sum], ref)
	return ref, nil
}

// Close writes the header, directories, metadata and tile data, and closes
// the file. An archive with no tile is an error.
func (w *ArchiveWriter) Close(meta ArchiveMeta) error {
	defer w.spool.Close()
	err := w.finish(meta)
	if cerr := w.out.Close(); err == nil {
		err = cerr
	}
	return err
}

// Abort discards the archive.
func (w *ArchiveWriter) Abort() {
	w.spool.Close()
	w.out.Close()
	os.Remove(w.out.Name())
}

func (w *ArchiveWriter) finish(meta ArchiveMeta) error {
	if len(w.entries) == 0 {
		return errors.New("pmtiles: no tile to write")
	}
	slices.SortFunc(w.entries, func(a, b pmEntry) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	for i := 1; i < len(w.entries); i++ {
		if w.entries[i].id == w.entries[i-1].id {
			return fmt.Errorf("pmtiles: tile id %d added twice", w.entries[i].id)
		}
	}
	// Lay the data out in tile id order (clustered); a repeated tile points
	// at its first copy; consecutive ids with the same tile form one run.
	placed := map[spoolRef]uint64{}
	var layout []spoolRef // spool pieces in output order
	var dir []dirEntry
	var dataLen uint64
	contents := 0
	for _, e := range w.entries {
		off, ok := placed[e.ref]
		if !ok {
			off = dataLen
			placed[e.ref] = off
			layout = append(layout, e.ref)
			dataLen += e.ref.length
			contents++
		}
		if n := len(dir); n > 0 && dir[n-1].offset == off && dir[n-1].tileID+uint64(dir[n-1].runLength) == e.id {
			dir[n-1].runLength++
			continue
		}
		dir = append(dir, dirEntry{tileID: e.id, offset: off, length: uint32(e.ref.length), runLength: 1})
	}
	root, leaves, err := buildDirectories(dir)
	if err != nil {
		return err
	}
	metaJSON, err := json.Marshal(meta.Metadata)
	if err != nil {
		return fmt.Errorf("pmtiles: metadata: %w", err)
	}
	metaGz := gzipBytes(metaJSON)
	bound := meta.Bounds
	if bound.IsZero() {
		bound = w.bound
	}
	h := pmHeader{
		rootOffset: pmHeaderLen, rootLength: uint64(len(root)),
		metaOffset: pmHeaderLen + uint64(len(root)), metaLength: uint64(len(metaGz)),
		addressed: uint64(len(w.entries)), tileEntries: uint64(len(dir)), contents: uint64(contents),
		minZ: uint8(w.minZ), maxZ: uint8(w.maxZ), bound: bound, center: meta.Center, centerZ: uint8(meta.Zoom),
	}
	h.leafOffset = h.metaOffset + h.metaLength
	h.leafLength = uint64(len(leaves))
	h.dataOffset = h.leafOffset + h.leafLength
	h.dataLength = dataLen
	for _, part := range [][]byte{h.encode(), root, metaGz, leaves} {
		if _, err := w.out.Write(part); err != nil {
			return fmt.Errorf("pmtiles: write: %w", err)
		}
	}
	for _, ref := range layout {
		if _, err := io.Copy(w.out, io.NewSectionReader(w.spool, int64(ref.offset), int64(ref.length))); err != nil {
			return fmt.Errorf("pmtiles: write tile data: %w", err)
		}
	}
	return nil
}

// dirEntry is one entry of a directory: a run of tiles, or (runLength 0) a leaf directory.
type dirEntry struct {
	tileID    uint64
	offset    uint64
	length    uint32
	runLength uint32
}

// buildDirectories returns the compressed root directory and leaf directories:
// every entry in the root when it fits, else leaves of growing size until the
// root of pointers to them fits.
func buildDirectories(entries []dirEntry) (root, leaves []byte, err error) {
	root, err = encodeDirectory(entries)
	if err != nil || len(root) <= pmRootBudget {
		return root, nil, err
	}
	for size := pmFirstLeafCount; ; size *= 2 {
		var pointers []dirEntry
		var buf bytes.Buffer
		for start := 0; start < len(entries); start += size {
			leaf, err := encodeDirectory(entries[start:min(start+size, len(entries))])
			if err != nil {
				return nil, nil, err
			}
			pointers = append(pointers, dirEntry{tileID: entries[start].tileID, offset: uint64(buf.Len()), length: uint32(len(leaf))})
			buf.Write(leaf)
		}
		root, err = encodeDirectory(pointers)
		if err != nil {
			return nil, nil, err
		}
		if len(root) <= pmRootBudget {
			return root, buf.Bytes(), nil
		}
	}
}

// encodeDirectory writes entries column by column as varints (ids as deltas;
// an offset as 0 when it follows the previous entry's data, else offset+1) and
// gzips them.
func encodeDirectory(entries []dirEntry) ([]byte, error) {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(entries)))
	var last uint64
	for _, e := range entries {
		b = binary.AppendUvarint(b, e.tileID-last)
		last = e.tileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.runLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.length))
	}
	for i, e := range entries {
		if i > 0 && e.offset == entries[i-1].offset+uint64(entries[i-1].length) {
			b = binary.AppendUvarint(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, e.offset+1)
	}
	return gzipBytes(b), nil
}

type pmHeader struct {
	rootOffset, rootLength           uint64
	metaOffset, metaLength           uint64
	leafOffset, leafLength           uint64
	dataOffset, dataLength           uint64
	addressed, tileEntries, contents uint64
	minZ, maxZ, centerZ              uint8
	bound                            orb.Bound
	center                           orb.Point
}

func (h pmHeader) encode() []byte {
	b := make([]byte, 0, pmHeaderLen)
	b = append(b, "PMTiles"...)
	b = append(b, 3)
	for _, v := range []uint64{h.rootOffset, h.rootLength, h.metaOffset, h.metaLength, h.leafOffset, h.leafLength,
		h.dataOffset, h.dataLength, h.addressed, h.tileEntries, h.contents} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	b = append(b, 1, pmCompressGzip, pmCompressGzip, pmTileTypeMVT, h.minZ, h.maxZ) // clustered, internal and tile compression, type
	for _, v := range []float64{h.bound.Min[0], h.bound.Min[1], h.bound.Max[0], h.bound.Max[1]} {
		b = binary.LittleEndian.AppendUint32(b, uint32(e7(v)))
	}
	b = append(b, h.centerZ)
	b = binary.LittleEndian.AppendUint32(b, uint32(e7(h.center[0])))
	b = binary.LittleEndian.AppendUint32(b, uint32(e7(h.center[1])))
	return b
}

// e7 is a coordinate in units of 1e-7 degrees.
func e7(v float64) int32 { return int32(math.Round(v * 1e7)) }
