package fctest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAsNameElides(t *testing.T) {
	for name, want := range map[string]string{
		"Éloïse": "qu'Éloïse", "Aiko": "qu'Aiko", "Anne-Sophie": "qu'Anne-Sophie", "Yves": "qu'Yves",
		"Camille": "que Camille", "Hélène": "que Hélène", "Lucien": "que Lucien", "émile": "qu'émile",
	} {
		assert.Equal(t, want, asName(name), name)
	}
}
