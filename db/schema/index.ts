export * from "./people";
export * from "./auth";
export * from "./audit";
export * from "./notify";
export * from "./training";
export * from "./agreements";
export * from "./access";
export * from "./passkeys";
