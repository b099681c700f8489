// The in-register Cholesky solve of the LM step against KokkosBatched's LU, for every size 1..6, on every
// space.
#include "execution_spaces.hpp"

#include <voxflow/fit/small_solve.hpp>

#include <KokkosBatched_LU_Decl.hpp>
#include <KokkosBatched_LU_Serial_Impl.hpp>
#include <KokkosBatched_SolveLU_Decl.hpp>

#include <gtest/gtest.h>

#include <random>

namespace {

constexpr int batch = 64;

// Random SPD matrices A = B^T B + 0.1 I and right-hand sides, on the host.
template <int P>
void make_problems(Kokkos::View<double***, Kokkos::HostSpace> a,
                   Kokkos::View<double**, Kokkos::HostSpace> b) {
  std::mt19937 rng(100 + P);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int m = 0; m < batch; ++m) {
    double base[P][P];
    for (auto& row : base)
      for (auto& v : row) v = u(rng);
    for (int i = 0; i < P; ++i) {
      for (int j = 0; j < P; ++j) {
        double s = (i == j) ? 0.1 : 0.0;
        for (int k = 0; k < P; ++k) s += base[k][i] * base[k][j];
        a(m, i, j) = s;
      }
      b(m, i) = u(rng);
    }
  }
}

template <class ExecutionSpace, int P>
void check_against_batched_lu() {
  using Mem = typename ExecutionSpace::memory_space;
  Kokkos::View<double***, Kokkos::HostSpace> a_host("a", batch, P, P);
  Kokkos::View<double**, Kokkos::HostSpace> b_host("b", batch, P);
  make_problems<P>(a_host, b_host);
  auto a = Kokkos::create_mirror_view_and_copy(Mem(), a_host);
  auto b = Kokkos::create_mirror_view_and_copy(Mem(), b_host);
  Kokkos::View<double**, Mem> x_chol("x_chol", batch, P);
  Kokkos::View<double***, Mem> lu("lu", batch, P, P);
  Kokkos::View<double***, Mem> x_lu("x_lu", batch, P, 1);
  Kokkos::View<int*, Mem> ok("ok", batch);
  Kokkos::parallel_for(
      "voxflow::test::solve", Kokkos::RangePolicy<ExecutionSpace>(0, batch), KOKKOS_LAMBDA(int m) {
        double packed[voxflow::fit::packed_size<P>];
        double rhs[P], x[P] = {};
        for (int i = 0; i < P; ++i) {
          rhs[i] = b(m, i);
          x_lu(m, i, 0) = b(m, i);
          for (int j = 0; j < P; ++j) lu(m, i, j) = a(m, i, j);
          for (int j = 0; j <= i; ++j) packed[voxflow::fit::packed_index(i, j)] = a(m, i, j);
        }
        ok(m) = voxflow::fit::cholesky_solve<P>(packed, rhs, x) ? 1 : 0;
        for (int i = 0; i < P; ++i) x_chol(m, i) = x[i];
        auto lu_m = Kokkos::subview(lu, m, Kokkos::ALL, Kokkos::ALL);
        auto x_m = Kokkos::subview(x_lu, m, Kokkos::ALL, Kokkos::ALL);
        KokkosBatched::SerialLU<KokkosBatched::Algo::LU::Unblocked>::invoke(lu_m);
        KokkosBatched::SerialSolveLU<KokkosBatched::Trans::NoTranspose,
                                     KokkosBatched::Algo::SolveLU::Unblocked>::invoke(lu_m, x_m);
      });
  auto xc = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x_chol);
  auto xl = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x_lu);
  auto okh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ok);
  for (int m = 0; m < batch; ++m) {
    ASSERT_EQ(okh(m), 1) << "P=" << P << " problem " << m;
    for (int i = 0; i < P; ++i) {
      EXPECT_NEAR(xc(m, i), xl(m, i, 0), 1e-9 * (1.0 + std::fabs(xl(m, i, 0)))) << "P=" << P << " m=" << m;
      double residual = -b_host(m, i);
      for (int j = 0; j < P; ++j) residual += a_host(m, i, j) * xc(m, j);
      EXPECT_NEAR(residual, 0.0, 1e-10) << "P=" << P << " m=" << m;
    }
  }
}

template <class ExecutionSpace>
class SmallSolve : public ::testing::Test {};
TYPED_TEST_SUITE(SmallSolve, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(SmallSolve, CholeskyMatchesBatchedLUForEverySize) {
  check_against_batched_lu<TypeParam, 1>();
  check_against_batched_lu<TypeParam, 2>();
  check_against_batched_lu<TypeParam, 3>();
  check_against_batched_lu<TypeParam, 4>();
  check_against_batched_lu<TypeParam, 5>();
  check_against_batched_lu<TypeParam, 6>();
}

}  // namespace

TEST(SmallSolveHost, SingularAndIndefiniteMatricesAreReportedNotSolved) {
  double const singular[3] = {1.0, 1.0, 1.0};    // [[1, 1], [1, 1]]
  double const indefinite[3] = {1.0, 2.0, 1.0};  // [[1, 2], [2, 1]]
  double const b[2] = {1.0, 2.0};
  double x[2] = {-7.0, -7.0};
  EXPECT_FALSE(voxflow::fit::cholesky_solve<2>(singular, b, x));
  EXPECT_FALSE(voxflow::fit::cholesky_solve<2>(indefinite, b, x));
  EXPECT_EQ(x[0], -7.0);  // untouched on failure
}

TEST(SmallSolveHost, LinearRegressionRecoversExactCoefficients) {
  voxflow::fit::LinearRegression<3> reg;
  for (int j = 0; j < 20; ++j) {
    double const t = 0.1 * j;
    double const x[3] = {1.0, t, t * t};
    reg.add(x, 2.0 - 3.0 * t + 0.5 * t * t);
  }
  double beta[3];
  ASSERT_TRUE(reg.solve(beta));
  EXPECT_NEAR(beta[0], 2.0, 1e-9);
  EXPECT_NEAR(beta[1], -3.0, 1e-9);
  EXPECT_NEAR(beta[2], 0.5, 1e-9);
}
