package main

import (
	"strings"
	"testing"
)

// geonamesLine builds a 19-column dump line with the columns gen reads.
func geonamesLine(name, code, country, admin2, lat, lon, population string) string {
	cols := make([]string, columns)
	cols[colName], cols[colCode], cols[colCountry], cols[colAdmin2] = name, code, country, admin2
	cols[colLat], cols[colLon], cols[colPopulation], cols[colClass] = lat, lon, population, "P"
	return strings.Join(cols, "\t")
}

func TestRead(t *testing.T) {
	dump := strings.Join([]string{
		geonamesLine("Valence", "PPLA2", "FR", "26", "44.9256", "4.90956", "63864"),
		geonamesLine("Lyon 07", "PPLX", "FR", "69", "45.74525", "4.84197", "82573"),
		geonamesLine("Marseille 01", "PPLA5", "FR", "13", "43.29814", "5.38407", "40919"),
		geonamesLine("Saint-Pierre", "PPLX", "FR", "13", "43.29282", "5.40682", "8836"), // a quarter
		geonamesLine("Genève", "PPLA", "CH", "", "46.20222", "6.14569", "183981"),       // not France
		geonamesLine("Abancourt", "PPL", "FR", "60", "49.69607", "1.76512", "592"),
	}, "\n")
	rows, err := read(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	want := []row{ // sorted by name
		{name: "Abancourt", department: "60", lat: "49.69607", lon: "1.76512", population: 592},
		{name: "Lyon 7e", commune: "Lyon", arrondissement: 7, department: "69", lat: "45.74525", lon: "4.84197", population: 82573},
		{name: "Marseille 1er", commune: "Marseille", arrondissement: 1, department: "13", lat: "43.29814", lon: "5.38407", population: 40919},
		{name: "Valence", department: "26", lat: "44.9256", lon: "4.90956", population: 63864},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func TestReadRejects(t *testing.T) {
	tests := map[string]string{
		"short line":    "Lyon\tPPL\tFR",
		"no department": geonamesLine("Lyon", "PPLA", "FR", "", "45.7", "4.8", "1"),
		"bad latitude":  geonamesLine("Lyon", "PPLA", "FR", "69", "nord", "4.8", "1"),
		"outside":       geonamesLine("Lyon", "PPLA", "FR", "69", "-21.1", "55.5", "1"),
		"population":    geonamesLine("Lyon", "PPLA", "FR", "69", "45.7", "4.8", "many"),
		"tab in name":   geonamesLine("Ly\ton", "PPLA", "FR", "69", "45.7", "4.8", "1"),
	}
	for name, dump := range tests {
		if rows, err := read(strings.NewReader(dump)); err == nil {
			t.Errorf("%s: accepted as %+v", name, rows)
		}
	}
}
