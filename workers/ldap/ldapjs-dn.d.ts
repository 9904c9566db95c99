/** The part of `@ldapjs/dn` (untyped) that dn.ts uses. */
declare module '@ldapjs/dn' {
  export class RDN {
    keys(): IterableIterator<string>
    getValue(name: string): unknown
  }
  export class DN {
    static fromString(text: string): DN
    readonly length: number
    rdnAt(index: number): RDN
  }
}
