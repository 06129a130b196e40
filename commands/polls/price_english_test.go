package polls

import "testing"

// English speakers put the euro sign after the sign of an impact:
// "+€0.40", "-€0.30", as Agora writes impacts in English.
func TestPricesAsEnglishSpeakersWriteThem(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{"+€0.40", 40}, {"-€0.30", -30}, {"−€0.30", -30}, {"+ €2", 200}, {"€2.10", 210},
	} {
		if got, ok := parseEuros(tt.in); !ok || got != tt.want {
			t.Errorf("parseEuros(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range []string{"+€", "+€€1", "+€0.4x"} {
		if got, ok := parseEuros(in); ok {
			t.Errorf("parseEuros(%q) = %d, read", in, got)
		}
	}
	for _, tt := range []struct {
		in, label string
		cents     int64
	}{
		{"Organic +€0.40", "Organic", 40}, {"Small -€0.30", "Small", -30}, {"Large €1.50", "Large", 150},
	} {
		label, cents, err := splitPrice(tt.in)
		if err != nil || label != tt.label || cents != tt.cents {
			t.Errorf("splitPrice(%q) = %q, %d, %v; want %q, %d", tt.in, label, cents, err, tt.label, tt.cents)
		}
	}
}
