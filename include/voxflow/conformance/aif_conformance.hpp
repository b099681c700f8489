// Conformance runner for the OSIPI population-AIF reference files (reference README §3): long-format CSVs
// with columns label,time,Cb[,delay]. Rows are grouped by label (in file order); each label is one case whose
// checks are its samples "Cb[i]", evaluated with Hct = 0 (whole blood) at the label's delay (s) when the file
// has a delay column.
//
// The AIF is chosen from the file name (case-insensitive prefix): Parker* → Parker, Georgiou* → Georgiou,
// preclinical* → preclinical model B. The time column is in minutes for Parker and Georgiou (their published
// forms are in minutes) and in seconds for the preclinical model; the delay column is always in seconds. A
// parameter table without label/time/Cb columns (ParkerAIF.csv) holds no cases: the report is empty.
#ifndef VOXFLOW_CONFORMANCE_AIF_CONFORMANCE_HPP
#define VOXFLOW_CONFORMANCE_AIF_CONFORMANCE_HPP

#include <voxflow/conformance/report.hpp>

namespace voxflow::conformance {

// Throws InputError when the file cannot be read or its name names no known AIF; a case that cannot be
// evaluated (e.g. decreasing times) is reported with its error instead.
FileReport run_aif_reference_file(RunContext const& ctx);

}  // namespace voxflow::conformance

#endif
