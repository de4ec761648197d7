/** The Clearance mark (a shield with a tick), drawn with a 2px stroke on a 24×24 grid. */
export const logoPaths = ["M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z", "m8.5 12 2.5 2.5 4.5-5"] as const;

export const brandColour = "#2f54d1";
