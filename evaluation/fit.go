package evaluation

import (
	"errors"
	"math"

	"github.com/verbatim-bot/verbatim/retrieval"
)

// Fit fits the confidence model (a logistic regression) to the first
// answer of each case: its evidence, labelled 1 when the question is
// covered and the answer's source is relevant. Each benchmark (Case.Set)
// weighs the same in all, whatever its number of questions, so that one
// large set does not decide the model alone. l2 is the ridge penalty on the
// weights (not the bias). Cases without an answer are left out.
func Fit(cases []Case, l2 float64) (retrieval.ConfidenceModel, error) {
	perSet := map[string]int{}
	for _, c := range cases {
		if len(c.Answers) > 0 {
			perSet[c.Set]++
		}
	}
	var xs [][]float64
	var ys, ws []float64
	for _, c := range cases {
		if len(c.Answers) == 0 {
			continue
		}
		a := c.Answers[0]
		xs = append(xs, append([]float64{1}, a.Evidence.Features()...))
		y := 0.0
		if c.Covered && a.Relevant {
			y = 1
		}
		ys = append(ys, y)
		ws = append(ws, 1/float64(perSet[c.Set]))
	}
	if len(xs) == 0 {
		return retrieval.ConfidenceModel{}, errors.New("fitting the confidence model: no case has an answer")
	}
	beta, err := logistic(xs, ys, ws, l2)
	if err != nil {
		return retrieval.ConfidenceModel{}, err
	}
	return retrieval.ModelOf(beta[0], beta[1:]), nil
}

// logistic fits weights beta to rows xs (the first column the bias),
// labels ys and row weights ws by Newton's method, with ridge penalty l2 on
// every weight but the bias.
func logistic(xs [][]float64, ys, ws []float64, l2 float64) ([]float64, error) {
	k := len(xs[0])
	beta := make([]float64, k)
	for iter := 0; iter < 100; iter++ {
		grad := make([]float64, k)
		hess := make([][]float64, k)
		for i := range hess {
			hess[i] = make([]float64, k)
		}
		for r, x := range xs {
			p := sigmoid(dot(beta, x))
			for i := range k {
				grad[i] += ws[r] * (ys[r] - p) * x[i]
				for j := range k {
					hess[i][j] += ws[r] * p * (1 - p) * x[i] * x[j]
				}
			}
		}
		for i := 1; i < k; i++ {
			grad[i] -= l2 * beta[i]
			hess[i][i] += l2
		}
		step, err := solve(hess, grad)
		if err != nil {
			return nil, err
		}
		change := 0.0
		for i := range k {
			beta[i] += step[i]
			change = max(change, math.Abs(step[i]))
		}
		if change < 1e-9 {
			break
		}
	}
	return beta, nil
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves a x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for col := range n {
		piv := col
		for r := col + 1; r < n; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[piv][col]) {
				piv = r
			}
		}
		if math.Abs(m[piv][col]) < 1e-12 {
			return nil, errors.New("fitting the confidence model: the evidence is degenerate (a feature never varies)")
		}
		m[col], m[piv] = m[piv], m[col]
		for r := range n {
			if r == col {
				continue
			}
			f := m[r][col] / m[col][col]
			for c := col; c <= n; c++ {
				m[r][c] -= f * m[col][c]
			}
		}
	}
	x := make([]float64, n)
	for i := range n {
		x[i] = m[i][n] / m[i][i]
	}
	return x, nil
}
