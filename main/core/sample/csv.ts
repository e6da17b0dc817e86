// overview.csv and radiological_gradings.csv of a sample dataset, with the released column sets, quirks
// (trailing spaces in `sex`, age in `birth_date` only for the Siemens/UMC group, Python-list strings) and CRLF.
import { GRADINGS_HEADER } from '../../../common/gradings.js';
import { OVERVIEW_COLUMNS } from '../dataset/index.js';
import type { ScannerKey, SeriesTemplate } from './plan.js';

/** The released overview.csv columns, in file order (the dataset core's list). */
export const OVERVIEW_HEADER = OVERVIEW_COLUMNS;

type OverviewColumn = (typeof OVERVIEW_HEADER)[number];

export interface PatientFacts {
  sex: 'F' | 'M';
  age: number;
  subset: 'training' | 'validation';
  vertebrae: number;
}

type ScannerFields = Partial<Record<OverviewColumn, string>>;

// Per scanner: fields shared by all its series, then per-contrast overrides (values as the released file has them).
const SCANNERS: Record<ScannerKey, { common: ScannerFields; t1: ScannerFields; t2: ScannerFields; space?: ScannerFields }> = {
  ingenia3: {
    common: {
      AngioFlag: '', BodyPartExamined: 'LSPINE', DeviceSerialNumber: '', EchoNumbers: '1', ImagedNucleus: '1H',
      ImagingFrequency: '127.771072', InPlanePhaseEncodingDirection: 'COL', MRAcquisitionType: '2D', MagneticFieldStrength: '3.0',
      Manufacturer: 'Philips Healthcare', ManufacturerModelName: 'Ingenia', PercentPhaseFieldOfView: '155.555555555555',
      PhotometricInterpretation: 'MONOCHROME2', PixelSpacing: '[0.625, 0.625]', SamplesPerPixel: '1', ScanningSequence: 'SE',
      SequenceName: '', SeriesDescription: '', SliceThickness: '3.0', SoftwareVersions: "['5.6.1', '5.6.1.2']",
      SpacingBetweenSlices: '3.3', SpecificCharacterSet: 'ISO 2022 IR 100', TransmitCoilName: '',
    },
    t1: { EchoTime: '13.837', EchoTrainLength: '7', FlipAngle: '85', NumberOfPhaseEncodingSteps: '235', PercentSampling: '77.1704177856445', PixelBandwidth: '488', RepetitionTime: '716.234375', SAR: '2.78812026977539', WindowCenter: '1093.0', WindowWidth: '1901.0' },
    t2: { EchoTime: '120.0', EchoTrainLength: '25', FlipAngle: '90', NumberOfPhaseEncodingSteps: '237', PercentSampling: '77.1106948852539', PixelBandwidth: '365', RepetitionTime: '3563.07250976562', SAR: '2.7881188392639102', WindowCenter: '1026.0', WindowWidth: '1784.0' },
  },
  avanto15: {
    common: {
      AngioFlag: 'N', BodyPartExamined: '', DeviceSerialNumber: '', EchoNumbers: '1', ImagedNucleus: '1H',
      ImagingFrequency: '63.673776000000004', InPlanePhaseEncodingDirection: 'COL', MRAcquisitionType: '2D', MagneticFieldStrength: '1.5',
      Manufacturer: 'SIEMENS', ManufacturerModelName: 'Avanto_fit', PercentPhaseFieldOfView: '100.0', PhotometricInterpretation: 'MONOCHROME2',
      PixelSpacing: '[.5859375, .5859375]', SamplesPerPixel: '1', ScanningSequence: 'SE', SliceThickness: '3.0', SoftwareVersions: '',
      SpacingBetweenSlices: '3.3', SpecificCharacterSet: 'ISO_IR 100', TransmitCoilName: 'Body',
    },
    t1: { EchoTime: '9.8', EchoTrainLength: '2', FlipAngle: '150', NumberOfPhaseEncodingSteps: '512', PercentSampling: '75.0', PixelBandwidth: '190', RepetitionTime: '456.0', SAR: '2.1381270311365', SequenceName: '*tse2d1_3', SeriesDescription: 't1_tse_sag', WindowCenter: '265.0', WindowWidth: '620.0' },
    t2: { EchoTime: '93.0', EchoTrainLength: '17', FlipAngle: '150', NumberOfPhaseEncodingSteps: '748', PercentSampling: '70.0', PixelBandwidth: '195', RepetitionTime: '3750.0', SAR: '1.367293910907', SequenceName: '*tseR2d1rr17', SeriesDescription: 't2_tse_sag', WindowCenter: '250.0', WindowWidth: '579.0' },
    space: { EchoTime: '124.0', EchoTrainLength: '60', FlipAngle: '150', MRAcquisitionType: '3D', NumberOfPhaseEncodingSteps: '504', PercentPhaseFieldOfView: '125.0', PercentSampling: '90.0', PixelBandwidth: '530', PixelSpacing: '[.46875, .46875]', RepetitionTime: '1000.0', SAR: '2.0830975905195', SequenceName: '*spcR_60', SeriesDescription: 'T2_space_sag_c4', SliceThickness: '0.89999997615814', SpacingBetweenSlices: '1.0', WindowCenter: '112.0', WindowWidth: '284.0' },
  },
  skyra3: {
    common: {
      AngioFlag: 'N', BodyPartExamined: 'LSPINE', DeviceSerialNumber: '170042.0', EchoNumbers: '1', ImagedNucleus: '1H',
      ImagingFrequency: '123.249384', InPlanePhaseEncodingDirection: 'COL', MRAcquisitionType: '2D', MagneticFieldStrength: '3.0',
      Manufacturer: 'SIEMENS', ManufacturerModelName: 'Skyra_fit', PercentPhaseFieldOfView: '100.0', PercentSampling: '75.0',
      PhotometricInterpretation: 'MONOCHROME2', SamplesPerPixel: '1', ScanningSequence: 'SE', SliceThickness: '4.0',
      SoftwareVersions: 'syngo MR E11', SpacingBetweenSlices: '4.4', SpecificCharacterSet: 'ISO_IR 100', TransmitCoilName: 'Body',
    },
    t1: { EchoTime: '9.8', EchoTrainLength: '5', FlipAngle: '150', NumberOfPhaseEncodingSteps: '540', PixelBandwidth: '250', PixelSpacing: '[0.3125, 0.3125]', RepetitionTime: '497.0', SAR: '1.2854570262952', SequenceName: '*tse2d1_5', SeriesDescription: 'SAG T1 TSE', WindowCenter: '598.0', WindowWidth: '1281.0' },
    t2: { EchoTime: '102.0', EchoTrainLength: '21', FlipAngle: '150', NumberOfPhaseEncodingSteps: '441', PixelBandwidth: '245', PixelSpacing: '[0.36458334326744, 0.36458334326744]', RepetitionTime: '4200.0', SAR: '1.4034096693381', SequenceName: '*tseR2d1rr21', SeriesDescription: 'SAG T2 TSE', WindowCenter: '543.0', WindowWidth: '1160.0' },
  },
};

/** One overview.csv row (39 cells, in header order) for a series. */
export function overviewRow(seriesId: string, t: SeriesTemplate, p: PatientFacts, numVertebrae: number, numDiscs: number): string[] {
  const s = SCANNERS[t.scanner];
  const perSeq = t.suffix === 't2_SPACE' ? (s.space ?? s.t2) : s[t.contrast];
  const fields: ScannerFields = { ...s.common, ...perSeq };
  // Quirks of the released file: Philips rows carry a trailing space in `sex`; only the Siemens 1.5 T (UMC) group has an age.
  const sex = t.scanner === 'ingenia3' ? `${p.sex} ` : p.sex;
  const age = t.scanner === 'avanto15' ? `${p.age.toFixed(1)}` : '';
  fields.new_file_name = seriesId;
  fields.num_vertebrae = String(numVertebrae);
  fields.num_discs = String(numDiscs);
  fields.sex = sex;
  fields.birth_date = age;
  fields.subset = p.subset;
  return OVERVIEW_HEADER.map((c) => fields[c] ?? '');
}

export interface GradingRow {
  patient: number;
  ivdLabel: number;
  modic: number;
  upEndplate: number;
  lowEndplate: number;
  spondylolisthesis: number;
  herniation: number;
  narrowing: number;
  bulging: number;
  pfirrmann: number;
}

function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV text with CRLF line endings (as released), header first. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function gradingsCsv(rows: readonly GradingRow[]): string {
  const body = rows.map((r) =>
    [r.patient, r.ivdLabel, r.modic, r.upEndplate, r.lowEndplate, r.spondylolisthesis, r.herniation, r.narrowing, r.bulging, r.pfirrmann].map(String),
  );
  return toCsv(GRADINGS_HEADER, body);
}
