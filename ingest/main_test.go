package ingest_test

import (
	"testing"

	"github.com/vn-opendata/geodata/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
