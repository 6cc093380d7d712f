package jose

import (
	"fmt"

	"github.com/go-franceconnect/franceconnect/internal/jsonscan"
)

// Headers and key sets are read with jsonscan's strict scanner (UTF-8 only,
// no lone surrogates, nesting at most 32 deep, at most 32 members per
// object whose names are checked for duplicates). Its errors become these,
// which wrap ErrMalformed.
var (
	errJSON      = fmt.Errorf("%w: invalid JSON", ErrMalformed)
	errDuplicate = fmt.Errorf("%w: duplicate JSON member", ErrMalformed)
	errMembers   = fmt.Errorf("%w: too many JSON members", ErrMalformed)
	errType      = fmt.Errorf("%w: JSON member of the wrong type", ErrMalformed)
)

// jsonError returns the error of this package that stands for a jsonscan
// error, and any other error unchanged.
func jsonError(err error) error {
	switch err {
	case jsonscan.ErrSyntax:
		return errJSON
	case jsonscan.ErrDuplicate:
		return errDuplicate
	case jsonscan.ErrMembers:
		return errMembers
	case jsonscan.ErrType:
		return errType
	}
	return err
}
