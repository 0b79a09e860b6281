/** What a sampled record needs for validation: enough to map it again and point-read the result. */
export interface SampleRecord {
  file: string;
  line: number;
  kind: 'put' | 'delete';
  raw: string;
}
